import path from 'node:path';
import { ROOT } from './repo.js';

/**
 * The real-world corpus, vendored from ../shared/corpus/microservices-demo into fixtures/corpus/
 * (Apache-2.0, see its LICENSE and SOURCE.md) so that a fresh clone can run every test.
 */
export const CORPUS = path.join(ROOT, 'fixtures', 'corpus', 'microservices-demo');
