import axe from 'axe-core';

/**
 * Runs axe on the whole document (the page as rendered by <App />) and fails with a readable list
 * of violations. Colour contrast is left out: jsdom does no layout, so axe cannot compute it (the
 * colour pairs are checked in styles.css).
 */
export async function expectNoAxeViolations(context: Node = document): Promise<void> {
  const results = await axe.run(context as axe.ElementContext, {
    resultTypes: ['violations'],
    rules: { 'color-contrast': { enabled: false } },
  });
  if (results.violations.length === 0) return;
  const report = results.violations
    .map(
      (v) =>
        `${v.id} (${v.impact ?? 'unknown'}): ${v.help}\n` +
        v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n'),
    )
    .join('\n');
  throw new Error(`axe found ${results.violations.length} accessibility violation(s):\n${report}`);
}
