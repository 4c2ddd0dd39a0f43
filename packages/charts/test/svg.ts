import { expect } from '@jest/globals';

/** One root <svg> element and every tag inside it closed in order (vega escapes text, so tags are all a regex sees). */
function expectWellFormedSvg(svg: string): void {
  expect(svg.startsWith('<svg ')).toBe(true);
  expect(svg.endsWith('</svg>')).toBe(true);
  const open: string[] = [];
  let roots = 0;
  for (const [, closing, name, selfClosing] of svg.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    if (closing === '/') expect(open.pop()).toBe(name);
    else if (selfClosing !== '/') {
      if (open.length === 0) roots += 1;
      open.push(name ?? '');
    }
  }
  expect(open).toEqual([]);
  expect(roots).toBe(1);
}

/** The texts of the <text> elements, in document order. */
export const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(([, text]) => text ?? '');

const svgSize = (svg: string): { width: string | undefined; height: string | undefined } => {
  const root = /^<svg [^>]*>/.exec(svg)?.[0] ?? '';
  return { width: /\swidth="([^"]+)"/.exec(root)?.[1], height: /\sheight="([^"]+)"/.exec(root)?.[1] };
};

/** A well-formed chart at the size every chart is drawn at, whose texts include each of `labels`; all its texts, in document order. */
export function expectChartLabelled(svg: string, labels: string[]): string[] {
  expectWellFormedSvg(svg);
  expect(svgSize(svg)).toEqual({ width: '800', height: '420' });
  const all = texts(svg);
  expect(all).toEqual(expect.arrayContaining(labels));
  return all;
}
