/**
 * The Kustomize patch lists GitOps controllers write in their own objects: a Flux Kustomization's
 * `spec` (`patches`, `patchesJson6902`, `patchesStrategicMerge`, over what `spec.path` builds), an
 * Argo CD Application's (or ApplicationSet template's) `source.kustomize` or
 * `sources[i].kustomize` (over what the source's `path` builds), and a Flux HelmRelease's
 * `postRenderers[i].kustomize` (over the chart it renders, which the tool does not render). One
 * reading for the three places that need it: the probes of their patch strings
 * (kustomization.ts), the objects those probes run in (patch-targets.ts), and the base probes
 * they hold (overlays.ts).
 */
import type { YAMLMap } from 'yaml';
import { isMap, isSeq } from '../parse/yaml-lib.js';
import { getPair, nodeAt, scalarText } from '../parse/yaml.js';

export const FLUX_KUSTOMIZE = 'kustomize.toolkit.fluxcd.io/';
export const FLUX_HELM = 'helm.toolkit.fluxcd.io/';
export const ARGO_CD = 'argoproj.io/';

/** One patch list of a controller object. */
export interface ControllerLists {
  controller: 'flux-kustomization' | 'argo-cd' | 'flux-helmrelease';
  /** The map holding `patches`, `patchesJson6902`, `patchesStrategicMerge`. */
  lists: YAMLMap;
  /** Its key path in the object (`spec`, `spec.source.kustomize`, `spec.postRenderers[0].kustomize`). */
  at: string;
  /** The object's kind and metadata.name (`?` when it has none). */
  kind: string;
  name: string;
  /** The folder it builds, as written (Flux: `spec.path`, `.` when absent; Argo CD: the source's `path`, undefined when absent). */
  path?: string;
  /** A HelmRelease: the object, whose chart the post-renderer patches. */
  release?: YAMLMap;
}

/** Whether a file's text may hold a controller object with patches (a test before parsing). */
export function mayHoldControllerPatches(text: string): boolean {
  return (text.includes(FLUX_KUSTOMIZE) || text.includes(FLUX_HELM) || text.includes(ARGO_CD)) && text.includes('patches');
}

/** The patch lists of one document's root, when it is a Flux Kustomization, an Argo CD Application or ApplicationSet, or a Flux HelmRelease. */
export function controllerLists(root: unknown): ControllerLists[] {
  if (!isMap(root)) return [];
  const apiVersion = scalarText(getPair(root, 'apiVersion')?.value) ?? '';
  const kind = scalarText(getPair(root, 'kind')?.value) ?? '';
  const name = scalarText(nodeAt(root, 'metadata.name')) ?? '?';
  const spec = getPair(root, 'spec')?.value;
  const out: ControllerLists[] = [];
  if (kind === 'Kustomization' && apiVersion.startsWith(FLUX_KUSTOMIZE) && isMap(spec)) {
    out.push({ controller: 'flux-kustomization', lists: spec, at: 'spec', kind, name, path: scalarText(getPair(spec, 'path')?.value) ?? '.' });
  } else if (kind === 'HelmRelease' && apiVersion.startsWith(FLUX_HELM)) {
    const renderers = nodeAt(root, 'spec.postRenderers');
    (isSeq(renderers) ? renderers.items : []).forEach((r, i) => {
      const k = isMap(r) ? getPair(r, 'kustomize')?.value : undefined;
      if (isMap(k)) out.push({ controller: 'flux-helmrelease', lists: k, at: `spec.postRenderers[${i}].kustomize`, kind, name, release: root });
    });
  } else if ((kind === 'Application' || kind === 'ApplicationSet') && apiVersion.startsWith(ARGO_CD)) {
    const at = kind === 'Application' ? 'spec' : 'spec.template.spec';
    const one = nodeAt(root, `${at}.source`);
    const many = nodeAt(root, `${at}.sources`);
    const sources = isMap(one) ? [{ source: one, where: `${at}.source` }] : isSeq(many) ? many.items.map((source, i) => ({ source, where: `${at}.sources[${i}]` })) : [];
    for (const { source, where } of sources) {
      const k = isMap(source) ? getPair(source, 'kustomize')?.value : undefined;
      if (!isMap(source) || !isMap(k)) continue;
      const p = scalarText(getPair(source, 'path')?.value);
      out.push({ controller: 'argo-cd', lists: k, at: `${where}.kustomize`, kind, name, ...(p !== undefined ? { path: p } : {}) });
    }
  }
  return out;
}

/** How the controller is named in a sentence: `the Flux Kustomization cni`, `the Argo CD Application api`, `the post-renderer of the Flux HelmRelease api`. */
export function controllerName(c: ControllerLists): string {
  if (c.controller === 'flux-kustomization') return `the Flux Kustomization ${c.name}`;
  if (c.controller === 'argo-cd') return `the Argo CD ${c.kind} ${c.name}`;
  return `the post-renderer of the Flux HelmRelease ${c.name}`;
}
