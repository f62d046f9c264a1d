// @ts-check

const INCIDENTS = 'observability_ir_incidents';
const ACTIONS = 'observability_ir_incident_actions';

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable(INCIDENTS, table => {
    table.comment(
      'Incidents of catalog entities: opened by the diagnosis, closed by verification',
    );
    table.uuid('id').primary().notNullable();
    table.string('entity_ref').notNullable().comment('The catalog entity');
    table
      .string('open_key')
      .nullable()
      .unique(`${INCIDENTS}_one_open_per_entity`)
      .comment(
        'The entity ref while the incident is open, null once resolved: at most one open incident per entity, whichever backend instance opens it',
      );
    table.string('status', 16).notNullable().comment('open or resolved');
    table.string('hypothesis', 64).notNullable();
    table.string('title').notNullable();
    table.timestamp('opened_at', { useTz: true }).notNullable();
    table.timestamp('closed_at', { useTz: true }).nullable();
    table
      .text('baseline')
      .nullable()
      .comment('JSON: the memory limits of the containers when it opened');
    table
      .text('fix')
      .nullable()
      .comment('JSON: the fix the verification watches, once one was seen');
    table
      .text('verification')
      .nullable()
      .comment('JSON: when the current watch began and what it started from');
    table
      .text('verified')
      .nullable()
      .comment('JSON: what the verification saw when it passed');
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.raw('CREATE INDEX ?? ON ?? (??, ?? DESC)', [
    `${INCIDENTS}_entity_idx`,
    INCIDENTS,
    'entity_ref',
    'opened_at',
  ]);
  await knex.schema.createTable(ACTIONS, table => {
    table.comment('What happened during an incident, and who did it');
    table.bigIncrements('id').primary();
    table
      .uuid('incident_id')
      .notNullable()
      .references('id')
      .inTable(INCIDENTS)
      .onDelete('CASCADE');
    table.timestamp('at', { useTz: true }).notNullable();
    table.string('actor').notNullable().comment('A user entity ref, or system');
    table.string('kind', 32).notNullable();
    table.string('step_id', 16).nullable();
    table.text('message').notNullable();
    table.index(['incident_id', 'id'], `${ACTIONS}_incident_idx`);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable(ACTIONS);
  await knex.schema.dropTable(INCIDENTS);
};
