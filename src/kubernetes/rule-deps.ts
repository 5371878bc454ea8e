/**
 * What the manifest rules (kubernetes-exec-probe, kubernetes-json-probe) import when they meet
 * their first candidate: one dynamic import of this module rather than several in parallel
 * (modules they share would then be linked by two imports at once, which jest's ESM loader
 * cannot do).
 */
export { parseYaml, yamlErrorReport } from '../parse/yaml.js';
export { findProbeReports } from './probes.js';
export { helmValuesOf } from '../helm/chart.js';
export { json6902ProbeKey, relabelPartialOps } from '../kustomize/json6902.js';
export { isStrategicMergePatch, keepForOverlays } from '../kustomize/overlays.js';
