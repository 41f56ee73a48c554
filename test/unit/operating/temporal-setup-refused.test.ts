// `herald temporal setup` where the operator API is refused (a cloud namespace, an account without
// the right). A real server that refuses needs an authorizer the dev server cannot load, so the
// refusal is simulated by a stand-in operator service that answers PERMISSION_DENIED; the
// commands herald hands back are checked as the operator would paste them.
import type proto from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { setupNamespace } from '../../../client/operations/temporal-setup';

type OperatorService = proto.temporal.api.operatorservice.v1.OperatorService;

function refusingOperator(registered: Record<string, number>): OperatorService {
  return {
    listSearchAttributes: async () => ({
      customAttributes: registered,
      systemAttributes: {},
      storageSchema: {},
    }),
    addSearchAttributes: async () => {
      throw Object.assign(new Error('7 PERMISSION_DENIED: Request unauthorized.'), { code: 7 });
    },
  } as unknown as OperatorService;
}

describe('temporal setup where the operator API is refused (simulated refusal)', () => {
  it('hands back the exact create commands for the missing attributes only', async () => {
    const result = await setupNamespace(refusingOperator({ HeraldGroup: 2, HeraldSeverity: 2 }), 'csirt');
    expect(result.registered).toEqual([]);
    expect(result.present).toEqual(['HeraldGroup', 'HeraldSeverity']);
    expect(result.refused).toEqual({
      error: '7 PERMISSION_DENIED: Request unauthorized.',
      commands: [
        'temporal operator search-attribute create --namespace csirt --name HeraldRunKind --type Keyword',
        'temporal operator search-attribute create --namespace csirt --name HeraldMonitorSource --type Keyword',
        'temporal operator search-attribute create --namespace csirt --name HeraldAlertState --type Keyword',
      ],
    });
  });

  it('names an attribute registered with another type instead of registering it', async () => {
    const result = await setupNamespace(
      refusingOperator({
        HeraldGroup: 1,
        HeraldSeverity: 2,
        HeraldRunKind: 2,
        HeraldMonitorSource: 2,
        HeraldAlertState: 2,
      }),
      'csirt',
    );
    expect(result.wrongType).toEqual([{ name: 'HeraldGroup', registered: 'Text', expected: 'Keyword' }]);
    expect(result.refused).toBeUndefined();
  });
});
