import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TablePagination from '@material-ui/core/TablePagination';
import TableRow from '@material-ui/core/TableRow';
import { makeStyles } from '@material-ui/core/styles';
import { Fragment, ReactNode, useEffect, useState } from 'react';

/** The page sizes offered; the first is the default. */
export const PAGE_SIZES = [25, 50, 100];

/** One column of a {@link PaginatedTable}. */
export interface Column<T> {
  title: string;
  render: (row: T) => ReactNode;
  align?: 'left' | 'right';
}

const useStyles = makeStyles(theme => ({
  // Names, quantities and times read whole; a narrow screen scrolls the
  // table sideways instead of breaking them.
  cell: {
    whiteSpace: 'nowrap',
  },
  group: {
    backgroundColor: theme.palette.background.default,
    fontWeight: theme.typography.fontWeightBold as number,
  },
}));

/**
 * A table that renders one page of its rows at a time (25, 50 or 100), so
 * that thousands of rows cost no more than one page. With `groupOf`, rows
 * already ordered by group get a header row where a group starts, and at
 * the top of each page.
 */
export function PaginatedTable<T>(props: {
  label: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T, index: number) => string;
  groupOf?: (row: T) => { key: string; label: ReactNode };
}) {
  const { label, columns, rows, rowKey, groupOf } = props;
  const classes = useStyles();
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(PAGE_SIZES[0]);

  // Other rows (a filter changed): back to the first page.
  useEffect(() => setPage(0), [rows]);

  const lastPage = Math.max(0, Math.ceil(rows.length / pageSize) - 1);
  const shownPage = Math.min(page, lastPage);
  const start = shownPage * pageSize;
  const pageRows = rows.slice(start, start + pageSize);

  let previousGroup: string | undefined;
  return (
    <>
      <TableContainer>
        <Table size="small" aria-label={label}>
          <TableHead>
            <TableRow>
              {columns.map(c => (
                <TableCell
                  key={c.title}
                  align={c.align}
                  className={classes.cell}
                >
                  {c.title}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {pageRows.map((row, i) => {
              const group = groupOf?.(row);
              const startsGroup = group && group.key !== previousGroup;
              previousGroup = group?.key;
              return (
                <Fragment key={rowKey(row, start + i)}>
                  {startsGroup && (
                    <TableRow>
                      <TableCell
                        component="th"
                        scope="rowgroup"
                        role="rowheader"
                        colSpan={columns.length}
                        className={classes.group}
                      >
                        {group.label}
                      </TableCell>
                    </TableRow>
                  )}
                  <TableRow hover>
                    {columns.map(c => (
                      <TableCell
                        key={c.title}
                        align={c.align}
                        className={classes.cell}
                      >
                        {c.render(row)}
                      </TableCell>
                    ))}
                  </TableRow>
                </Fragment>
              );
            })}
          </TableBody>
        </Table>
      </TableContainer>
      {rows.length > PAGE_SIZES[0] && (
        <TablePagination
          component="div"
          count={rows.length}
          page={shownPage}
          rowsPerPage={pageSize}
          rowsPerPageOptions={PAGE_SIZES}
          onPageChange={(_event, next) => setPage(next)}
          onRowsPerPageChange={event => {
            setPageSize(Number(event.target.value));
            setPage(0);
          }}
        />
      )}
    </>
  );
}
