import fs from 'node:fs';
import path from 'node:path';
import {
  FORENSICS_PRIVILEGED_NOTE,
  FORENSICS_PRIVILEGES,
  forensicsSteps,
} from './forensicsPlan';

/** A README as one line of prose: no backticks, single spaces. */
function readme(relative: string): string {
  return fs
    .readFileSync(path.resolve(__dirname, relative), 'utf8')
    .replace(/`/g, '')
    .replace(/\s+/g, ' ');
}

const frontendReadme = readme('../../../README.md');
const backendReadme = readme('../../../../observability-ir-backend/README.md');

describe('what the confirmation says a run does', () => {
  it('is what the README says, word for word', () => {
    for (const privilege of FORENSICS_PRIVILEGES) {
      expect(frontendReadme).toContain(privilege.sentence);
    }
    expect(frontendReadme).toContain(FORENSICS_PRIVILEGED_NOTE);
    for (const step of forensicsSteps({ container: 'CONTAINER' })) {
      expect(frontendReadme).toContain(step.command);
      expect(frontendReadme).toContain(step.purpose);
    }
  });

  it('stands for settings of the Job spec the backend documents', () => {
    for (const privilege of FORENSICS_PRIVILEGES) {
      expect(backendReadme).toContain(privilege.field);
    }
    // "2 minutes by default".
    expect(backendReadme).toMatch(/\| activeDeadlineSeconds \| 120 \|/);
    // The script's commands, as the backend's Job runs them.
    expect(backendReadme).toContain('crictl');
    expect(backendReadme).toContain('nsenter');
  });
});
