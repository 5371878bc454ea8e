import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real-world corpus, vendored from ../shared/corpus/microservices-demo into fixtures/corpus/
 * (Apache-2.0, see its LICENSE and SOURCE.md) so that a fresh clone can run every test.
 */
export const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'corpus', 'microservices-demo');
