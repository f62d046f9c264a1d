import { FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { EntityWorkload } from '@observability-ir/plugin-observability-ir-common';
import { ObservabilityIrApi } from './ObservabilityIrApi';

/**
 * Talks to the observability-ir backend plugin with the user's identity.
 *
 * @public
 */
export class ObservabilityIrClient implements ObservabilityIrApi {
  constructor(private readonly deps: { fetchApi: FetchApi }) {}

  async getWorkload(entityRef: string): Promise<EntityWorkload> {
    return this.get<EntityWorkload>('v1/workload', { entityRef });
  }

  private async get<T>(path: string, query: Record<string, string>) {
    const response = await this.deps.fetchApi.fetch(
      `plugin://observability-ir/${path}?${new URLSearchParams(query)}`,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
