/**
 * The `yaml` package's functions, for every module of the tool: loaded from the one-file bundle the
 * build makes of it (scripts/vendor.mjs) with V8's code cache (src/code-cache.ts), ~15 ms where
 * its 74 CommonJS files took ~50-80 ms to resolve, read and compile one by one, on every run that
 * meets a YAML candidate. Types are imported from the package itself (`import type … from 'yaml'`):
 * the bundle is the same code. Nodes are recognised by `yaml`'s own symbols, so nodes made by the
 * package (a test's) and by the bundle are told apart alike.
 */
import type * as Yaml from 'yaml';
import { requireBundled } from '../code-cache.js';

const yaml = requireBundled<typeof Yaml>('yaml');

export const { CST, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, visit, Parser } = yaml;
