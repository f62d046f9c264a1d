// @ts-check

const NOTIFIED = 'observability_ir_oom_notified';

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable(NOTIFIED, table => {
    table.comment(
      'The OOM kills of each entity its owners were notified of: one notification per incident, across sweeps and restarts',
    );
    table.string('entity_ref').primary().notNullable();
    table
      .timestamp('last_killed_at', { useTz: true })
      .notNullable()
      .comment('The latest OOM kill the fleet sweep saw for the entity');
    table
      .timestamp('notified_at', { useTz: true })
      .notNullable()
      .comment('When the owners were last notified');
    table
      .timestamp('recovered_at', { useTz: true })
      .nullable()
      .comment(
        'When a sweep first found no OOM kill in its range; null while the incident lasts',
      );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable(NOTIFIED);
};
