// @ts-check

const TABLE = 'observability_ir_scheduled_results';

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable(TABLE, table => {
    table.comment(
      'The last results of the scheduled work (fleet sweep, telemetry audit), which every backend instance answers whichever ran it',
    );
    table.string('key').primary().notNullable();
    table.text('value').notNullable().comment('JSON: the result');
    table
      .timestamp('expires_at', { useTz: true })
      .notNullable()
      .comment('After this the result is no longer answered');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable(TABLE);
};
