/**
 * Vega-Lite spec -> inline SVG string, in Node, with vega's own SVG renderer (no canvas, no DOM).
 * The loader refuses every URL, so a chart can never fetch anything: all data is inline.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

const noNetwork: vega.Loader = {
  ...vega.loader(),
  load: () => Promise.reject(new Error('pollbench charts are self-contained: no loading')),
  sanitize: () => Promise.reject(new Error('pollbench charts are self-contained: no URLs')),
  http: () => Promise.reject(new Error('pollbench charts are self-contained: no network')),
  file: () => Promise.reject(new Error('pollbench charts are self-contained: no files')),
};

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: noNetwork, logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
