// @ts-check

const TABLE = 'observability_ir_forensics_runs';

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable(TABLE, table => {
    table.comment('Node-forensics runs: one Kubernetes Job each');
    table.uuid('id').primary().notNullable();
    table.string('job_name', 63).notNullable().comment('The Job that runs it');
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.string('pod').notNullable();
    table.string('container').notNullable();
    table.string('node').nullable().comment('The node the pod ran on');
    table.string('entity_ref').notNullable().comment('The catalog entity');
    table
      .string('requested_by')
      .notNullable()
      .comment('The user entity ref of who asked for it');
    table
      .string('status', 16)
      .notNullable()
      .comment('pending, running, succeeded or failed');
    table.text('reason').nullable().comment('Why it failed');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.text('verdict').nullable().comment('JSON: the verdict');
    table.text('sections').nullable().comment('JSON: the parsed sections');
    table.text('raw_output').nullable().comment('The log, capped in size');
    table
      .boolean('raw_output_truncated')
      .notNullable()
      .defaultTo(false)
      .comment('The log was longer than the stored part');
    table
      .string('claimed_by')
      .nullable()
      .comment('The backend instance that watches the run');
    table
      .timestamp('lease_expires_at', { useTz: true })
      .nullable()
      .comment('After this, another instance may watch the run');
    table.index(['status'], `${TABLE}_status_idx`);
    table.index(
      ['cluster', 'namespace', 'pod', 'container', 'created_at'],
      `${TABLE}_target_idx`,
    );
  });
  // Newest first per entity: the history's order.
  await knex.raw('CREATE INDEX ?? ON ?? (??, ?? DESC)', [
    `${TABLE}_entity_idx`,
    TABLE,
    'entity_ref',
    'created_at',
  ]);
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable(TABLE);
};
