import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import GetAppIcon from '@material-ui/icons/GetApp';
import Alert from '@material-ui/lab/Alert';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { observabilityIrApiRef } from '../../api';
import { downloadText } from './downloadText';
import { errorMessage } from './errorMessage';

/**
 * Downloads the postmortem of the entity's incident as Markdown, under the
 * name the backend gives it.
 */
export function ExportPostmortemButton(props: { entityRef: string }) {
  const api = useApi(observabilityIrApiRef);
  const [{ loading, error }, exportPostmortem] = useAsyncFn(async () => {
    const { markdown, filename } = await api.exportPostmortem(props.entityRef);
    downloadText(markdown, filename, 'text/markdown');
  }, [api, props.entityRef]);

  return (
    <Box display="flex" flexDirection="column" alignItems="flex-end">
      <Button
        variant="outlined"
        startIcon={<GetAppIcon />}
        onClick={() => exportPostmortem()}
        disabled={loading}
      >
        {loading ? 'Exporting…' : 'Export postmortem'}
      </Button>
      {error && (
        <Box mt={1}>
          <Alert severity="error" role="alert">
            The postmortem was not exported: {errorMessage(error)}
          </Alert>
        </Box>
      )}
    </Box>
  );
}
