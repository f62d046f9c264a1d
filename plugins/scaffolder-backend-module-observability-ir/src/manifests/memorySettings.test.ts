import {
  editMemorySettings,
  locateMemorySettings,
  MemorySettings,
  MemorySettingsQuery,
  readMemorySettings,
} from './memorySettings';

const QUERY: MemorySettingsQuery = {
  file: 'app.yaml',
  selector: { name: 'web', container: 'app' },
};

function deployment(container: string): string {
  return `kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
${container}`;
}

function edit(
  source: string,
  change: MemorySettings,
  query: MemorySettingsQuery = QUERY,
): string {
  return editMemorySettings(
    source,
    locateMemorySettings(source, query),
    change,
  );
}

describe('editMemorySettings', () => {
  it('keeps the quoting of the value it replaces', () => {
    const quoted = deployment(`        - name: app
          resources:
            limits: { memory: "512Mi" }
            requests:
              memory: '256Mi'   # measured
`);
    expect(edit(quoted, { limit: '1Gi', request: '512Mi' })).toBe(
      quoted
        .replace('"512Mi"', '"1Gi"')
        .replace("'256Mi'   # measured", "'512Mi'   # measured"),
    );
  });

  it('adds limits with the indentation the file uses', () => {
    const fourSpaces = `kind: Deployment
metadata:
    name: web
spec:
    template:
        spec:
            containers:
            -   name: app
                resources:
                    requests:
                        cpu: 100m
`;
    expect(edit(fourSpaces, { limit: '1Gi' })).toBe(
      `${fourSpaces}                    limits:\n                        memory: 1Gi\n`,
    );
  });

  it('adds resources to a container with none, before what follows it', () => {
    const source = deployment(`      - name: app
        image: web:1 # pinned
      - name: sidecar
        image: proxy:2
`);
    expect(edit(source, { limit: '1Gi', request: '1Gi' })).toBe(
      source.replace(
        'image: web:1 # pinned\n',
        `image: web:1 # pinned
        resources:
          limits:
            memory: 1Gi
          requests:
            memory: 1Gi
`,
      ),
    );
  });

  it('keeps flow maps in flow style', () => {
    const empty = deployment(`        - { name: app, resources: {} }\n`);
    expect(edit(empty, { limit: '1Gi' })).toBe(
      empty.replace('resources: {}', 'resources: { limits: { memory: 1Gi } }'),
    );
    const some = deployment(
      `        - name: app\n          resources: {requests: {memory: 1Gi}}\n`,
    );
    expect(edit(some, { limit: '2Gi' })).toBe(
      some.replace(
        '{requests: {memory: 1Gi}}',
        '{requests: {memory: 1Gi}, limits: {memory: 2Gi}}',
      ),
    );
  });

  it('fills empty values, keeping their comments', () => {
    const source = deployment(`        - name: app
          resources:
            limits: ~ # none yet
            requests:
              memory:
`);
    expect(edit(source, { limit: '1Gi', request: '512Mi' })).toBe(
      source
        .replace(
          'limits: ~ # none yet\n',
          'limits: # none yet\n              memory: 1Gi\n',
        )
        .replace('memory:\n', 'memory: 512Mi\n'),
    );
  });

  it('keeps Windows line breaks', () => {
    const source = deployment(`        - name: app
          resources:
            requests:
              memory: 1Gi
`).replace(/\n/g, '\r\n');
    expect(edit(source, { limit: '2Gi' })).toBe(
      `${source}            limits:\r\n              memory: 2Gi\r\n`,
    );
  });

  it('refuses values it cannot replace alone', () => {
    const aliased = `defaults:
  memory: &memory 512Mi
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          resources:
            limits:
              memory: *memory
`;
    expect(() => edit(aliased, { limit: '1Gi' })).toThrow(
      'resources.limits.memory of container app of Deployment web in app.yaml is not a single value; edit it by hand',
    );

    const anchored = aliased
      .replace('memory: &memory 512Mi', 'memory: 256Mi')
      .replace(
        'memory: *memory',
        'memory: &memory 512Mi\n          env: *memory',
      );
    expect(() => edit(anchored, { limit: '1Gi' })).toThrow(
      'refusing to edit container app of Deployment web in app.yaml: the edit would change more than its memory settings',
    );

    const block = deployment(`        - name: app
          resources:
            limits:
              memory: |-
                512Mi
`);
    expect(() => edit(block, { limit: '1Gi' })).toThrow('is a block scalar');
  });

  it('reads what a container has now', () => {
    const source = deployment(`        - name: app
          resources:
            limits: { memory: 1073741824 }
`);
    expect(readMemorySettings(locateMemorySettings(source, QUERY))).toEqual({
      limit: '1073741824',
      request: undefined,
    });
  });
});

describe('locateMemorySettings', () => {
  it('refuses files that are not YAML', () => {
    expect(() => locateMemorySettings('kind: [Deployment', QUERY)).toThrow(
      'app.yaml is not valid YAML',
    );
  });

  it('refuses a valuesPath for manifests', () => {
    expect(() =>
      locateMemorySettings(deployment('        - name: app\n'), {
        ...QUERY,
        valuesPath: 'resources.limits.memory',
      }),
    ).toThrow(
      'valuesPath is for Helm values files; app.yaml holds Kubernetes manifests',
    );
  });

  it('refuses a Helm values file without the path, naming it', () => {
    const values = 'api:\n  resources:\n    requests:\n      memory: 1Gi\n';
    expect(() =>
      locateMemorySettings(values, {
        ...QUERY,
        file: 'values.yaml',
        valuesPath: 'api.resources.limits.memory',
      }),
    ).toThrow('values.yaml has no api.resources.limits.memory');
    expect(() =>
      locateMemorySettings(values, { ...QUERY, file: 'values.yaml' }),
    ).toThrow('values.yaml has no resources.limits.memory');
  });

  it('cannot set a Helm request when the limit path does not say where it is', () => {
    const values = 'api:\n  memoryLimit: 512Mi\n';
    const query = {
      ...QUERY,
      file: 'values.yaml',
      valuesPath: 'api.memoryLimit',
    };
    expect(edit(values, { limit: '1Gi' }, query)).toBe(
      'api:\n  memoryLimit: 1Gi\n',
    );
    expect(() => edit(values, { limit: '1Gi', request: '1Gi' }, query)).toThrow(
      'cannot set a memory request in the Helm values values.yaml',
    );
  });

  it('points at the patch files of a kustomization that has no inline patch for the workload', () => {
    const kustomization = `resources:
  - ../base
patches:
  - path: web-resources.yaml
`;
    expect(() =>
      locateMemorySettings(kustomization, {
        ...QUERY,
        file: 'overlays/prod/kustomization.yaml',
      }),
    ).toThrow(
      'no Deployment, StatefulSet or DaemonSet named web with a container app in the inline patches of overlays/prod/kustomization.yaml; its patches from files (overlays/prod/web-resources.yaml) are edited by giving one of them as path',
    );
  });

  it('edits the inline patch that sets the limit when several patch the container', () => {
    const kustomization = `kind: Kustomization
patches:
  - patch: |
      kind: Deployment
      metadata: { name: web }
      spec:
        template:
          spec:
            containers:
              - name: app
                env: [{ name: MODE, value: production }]
  - patch: |
      kind: Deployment
      metadata: { name: web }
      spec:
        template:
          spec:
            containers:
              - name: app
                resources:
                  limits:
                    memory: 512Mi
  - path: replicas.yaml
`;
    expect(
      edit(
        kustomization,
        { limit: '1Gi' },
        { ...QUERY, file: 'kustomization.yaml' },
      ),
    ).toBe(kustomization.replace('memory: 512Mi', 'memory: 1Gi'));
  });

  it('refuses inline patches that are not literal blocks', () => {
    const kustomization = `kind: Kustomization
patches:
  - patch: "{kind: Deployment, metadata: {name: web}, spec: {template: {spec: {containers: [{name: app}]}}}}"
`;
    const site = locateMemorySettings(kustomization, {
      ...QUERY,
      file: 'kustomization.yaml',
    });
    expect(() =>
      editMemorySettings(kustomization, site, { limit: '1Gi' }),
    ).toThrow(
      'the inline patch patches[0] of kustomization.yaml is not a literal block (patch: |); edit it by hand',
    );
  });
});
