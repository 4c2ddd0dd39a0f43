import { View, parse } from 'vega';
import type { Config, TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';

/** Every chart has the same outer size, legend and axes included, so reports can lay them out blind. */
export const CHART_SIZE = { width: 800, height: 420 } as const;
export const FIT_TO_SIZE = { type: 'fit', contains: 'padding' } as const;

const CONFIG: Config = {
  font: 'sans-serif',
  title: { anchor: 'start', fontSize: 15, subtitleFontSize: 11, subtitleColor: '#555', offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, titlePadding: 10 },
  legend: { labelFontSize: 11, titleFontSize: 12, symbolType: 'square' },
  view: { stroke: null },
};

/**
 * Renders a Vega-Lite spec to an SVG string, headless (no canvas: text widths are estimated, so the
 * output does not depend on the fonts installed). The charts use no clipping and no gradients, the
 * only places where Vega numbers SVG definitions with process-wide counters, so the same spec gives
 * the same bytes however many charts were drawn before it.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec, { config: CONFIG }).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
