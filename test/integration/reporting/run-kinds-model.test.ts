// The model-based test of run kinds, short: random sequences of ingests, clock ticks, scheduled,
// ad-hoc, forced, test-data runs, re-runs (in mail test mode too) and worker restarts on the real
// stack, each step compared with the reference model (test/model). The long run is in the fault
// suite (test/faults/run-kinds-model.test.ts); HERALD_MODEL_SEED replays a failing seed.
import { modelRunTest } from '../../model/model-run-test';

modelRunTest(8, 12, 300_000);
