// The model-based test of run kinds, long: the same driver as the short one in `npm test`
// (test/integration/reporting/run-kinds-model.test.ts), with more and longer sequences.
import { modelRunTest } from '../model/model-run-test';

modelRunTest(12, 20, 1_500_000);
