import type { Node } from 'ts-morph';
import { tsMorph } from './morph.js';

/**
 * A Helm release or chart in code: Pulumi `new k8s.helm.v3.Release(…)`, `helm.v4.Chart`, cdk8s
 * `new Helm(…)`, or a name imported from a module whose path says helm (`@pulumi/kubernetes/helm/v3`).
 */
export function isHelmCallee(expr: Node): boolean {
  const { Node: N } = tsMorph();
  const text = expr.getText();
  if (/(^|\.)helm\.v\d+\.(Release|Chart)$/i.test(text) || /(^|\.)Helm(Release|Chart)?$/.test(text)) return true;
  // `new Release(…)` or `new helm.Release(…)` with `Release`/`helm` imported from a helm module.
  const root = N.isPropertyAccessExpression(expr) ? expr.getExpression() : expr;
  const decl = N.isIdentifier(root) ? root.getSymbol()?.getDeclarations()[0] : undefined;
  const module = decl?.getFirstAncestorByKind(tsMorph().SyntaxKind.ImportDeclaration)?.getModuleSpecifierValue();
  return module !== undefined && /helm/i.test(module);
}
