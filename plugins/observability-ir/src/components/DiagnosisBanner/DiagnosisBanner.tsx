import {
  EvidenceItem,
  Hypothesis,
} from '@observability-ir/plugin-observability-ir-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { useEvidence } from '../../hooks';
import { formatPercent } from '../../format';
import {
  EvidenceError,
  PanelSkeleton,
  SourceProblems,
} from '../EvidenceStatus';
import { strongColor } from '../contrast';
import { IncidentPanel } from '../IncidentPanel';
import { EvidenceList } from './EvidenceList';

/** How many supporting items the banner shows for the top hypothesis. */
const KEY_EVIDENCE = 3;

/** Below this confidence, hypotheses are listed together as ruled out. */
const RULED_OUT = 0.05;

const useStyles = makeStyles(theme => ({
  headline: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  },
  change: { fontWeight: theme.typography.fontWeightBold as number },
  others: { marginTop: theme.spacing(2) },
}));

/** Plain words for a confidence. */
export function confidenceWords(confidence: number): string {
  if (confidence >= 0.7) {
    return 'likely';
  }
  if (confidence >= 0.4) {
    return 'possible';
  }
  return 'unlikely';
}

const useChipStyles = makeStyles(theme => ({
  likely: { backgroundColor: strongColor(theme, 'secondary', 'fill') },
}));

function ConfidenceChip(props: { confidence: number }) {
  const classes = useChipStyles();
  const { confidence } = props;
  const likely = confidence >= 0.7;
  return (
    <Chip
      size="small"
      color={likely ? 'secondary' : 'default'}
      className={likely ? classes.likely : undefined}
      label={`${formatPercent(confidence)} confidence (${confidenceWords(
        confidence,
      )})`}
    />
  );
}

/** A headed list of evidence; nothing when there is none. */
function EvidenceSection(props: {
  heading: string;
  items: EvidenceItem[];
  label: string;
}) {
  if (props.items.length === 0) {
    return null;
  }
  return (
    <>
      <Typography variant="subtitle2" component="h4">
        {props.heading}
      </Typography>
      <EvidenceList items={props.items} label={props.label} />
    </>
  );
}

function OtherHypothesis(props: { hypothesis: Hypothesis }) {
  const { hypothesis } = props;
  return (
    <Accordion TransitionProps={{ unmountOnExit: true }}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Box display="flex" alignItems="center" gridGap={8} flexWrap="wrap">
          <Typography>{hypothesis.title}</Typography>
          <ConfidenceChip confidence={hypothesis.confidence} />
        </Box>
      </AccordionSummary>
      <AccordionDetails>
        <Box width="100%">
          <EvidenceSection
            heading="For"
            items={hypothesis.supporting}
            label={`Evidence for ${hypothesis.title}`}
          />
          <EvidenceSection
            heading="Against"
            items={hypothesis.contradicting}
            label={`Evidence against ${hypothesis.title}`}
          />
        </Box>
      </AccordionDetails>
    </Accordion>
  );
}

function RuledOut(props: { hypotheses: Hypothesis[] }) {
  const { hypotheses } = props;
  if (!hypotheses.length) {
    return null;
  }
  return (
    <Accordion TransitionProps={{ unmountOnExit: true }}>
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Typography>
          Ruled out: {hypotheses.map(h => h.title).join(', ')}
        </Typography>
      </AccordionSummary>
      <AccordionDetails>
        <Box width="100%">
          {hypotheses.map(h => (
            <Box key={h.id} mb={1}>
              <Typography variant="subtitle2" component="h4">
                {h.title} ({formatPercent(h.confidence)})
              </Typography>
              <EvidenceList
                items={[...h.contradicting, ...h.supporting]}
                label={`Evidence about ${h.title}`}
              />
            </Box>
          ))}
        </Box>
      </AccordionDetails>
    </Accordion>
  );
}

/**
 * The diagnosis at the top of the Incident tab: the most likely cause in
 * plain words with its key evidence and the recommended next step; the
 * other hypotheses collapsed below.
 *
 * @public
 */
export function DiagnosisBanner() {
  const classes = useStyles();
  const { value, error } = useEvidence('getDiagnosis');

  let content;
  if (error) {
    content = <EvidenceError error={error} />;
  } else if (!value) {
    content = <PanelSkeleton label="Loading diagnosis" height={120} />;
  } else {
    const [top, ...others] = value.hypotheses;
    const { recommendation } = value;
    content = (
      <>
        <SourceProblems
          sources={value.sources}
          only={['kubernetes', 'prometheus', 'loki']}
        />
        {!top && (
          <Typography>
            Not enough evidence for a diagnosis in this time range.
          </Typography>
        )}
        {top && (
          <Alert
            severity={top.id === 'healthy' ? 'success' : 'warning'}
            icon={false}
            role="note"
          >
            <div className={classes.headline}>
              <Typography variant="h6" component="h3">
                {top.id === 'healthy'
                  ? top.title
                  : `Most likely cause: ${top.title}`}
              </Typography>
              <ConfidenceChip confidence={top.confidence} />
            </div>
            {top.supporting.length > 0 && (
              <EvidenceList
                items={top.supporting.slice(0, KEY_EVIDENCE)}
                label="Key evidence"
              />
            )}
            {value.memoryLookback && (
              <Typography variant="body2">
                How memory climbs run after run was read over{' '}
                {value.memoryLookback.description}, beyond the range on screen.
              </Typography>
            )}
          </Alert>
        )}
        {recommendation && (
          <Box mt={2}>
            <Alert severity="info" role="note">
              <AlertTitle>Recommended next step</AlertTitle>
              {recommendation.memoryLimit && (
                <Typography className={classes.change}>
                  limits.memory: {recommendation.memoryLimit.current} →{' '}
                  {recommendation.memoryLimit.proposed} (peak working set{' '}
                  {recommendation.memoryLimit.peakWorkingSet})
                </Typography>
              )}
              <Typography variant="body2">{recommendation.summary}</Typography>
            </Alert>
          </Box>
        )}
        {others.length > 0 && (
          <div className={classes.others}>
            <Typography variant="subtitle1" component="h3" gutterBottom>
              Other hypotheses
            </Typography>
            {others
              .filter(h => h.confidence >= RULED_OUT)
              .map(h => (
                <OtherHypothesis key={h.id} hypothesis={h} />
              ))}
            <RuledOut
              hypotheses={others.filter(h => h.confidence < RULED_OUT)}
            />
          </div>
        )}
      </>
    );
  }

  return <IncidentPanel title="Diagnosis">{content}</IncidentPanel>;
}
