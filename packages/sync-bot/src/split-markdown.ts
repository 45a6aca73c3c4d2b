/**
 * Splits Markdown into parts of at most `limit` characters at line boundaries, closing an open
 * code fence or `<details>` at the end of a part and reopening it at the start of the next, so each
 * part renders on its own (as Atlantis does for GitHub's 65,536-character comment limit). Nothing
 * is dropped: the parts joined hold every line of the input.
 */
export function splitMarkdown(markdown: string, limit: number): string[] {
  if (limit < 200) throw new RangeError(`splitMarkdown: limit ${limit} is too small (at least 200)`);
  if (markdown.length <= limit) return [markdown];

  const parts: string[] = [];
  let lines: string[] = [];
  let length = 0;
  let state: BlockState = { fence: null, details: 0 };

  const closing = (s: BlockState): string =>
    (s.fence ? `\n${s.fence.marker}` : "") + "\n</details>".repeat(s.details);
  const opening = (s: BlockState): string[] => [
    ...Array.from({ length: s.details }, () => "<details><summary>(continued)</summary>\n"),
    ...(s.fence ? [s.fence.line] : []),
  ];
  const flush = (): void => {
    parts.push(lines.join("\n") + closing(state));
    lines = opening(state);
    length = lines.reduce((sum, line) => sum + line.length + 1, 0);
  };

  for (const line of markdown.split("\n")) {
    const next = advance(state, line);
    // Room needed: this line, plus whatever closes the blocks still open after it.
    const reserve = closing(next).length;
    if (lines.length > 0 && length + line.length + 1 + reserve > limit) flush();
    const room = limit - length - reserve - 1;
    if (line.length > room) {
      // A single line longer than a part: cut it into pieces (rare: minified data in a diff).
      let rest = line;
      while (rest.length > 0) {
        const space = limit - length - closing(state).length - 1;
        if (space <= 0) { flush(); continue; }
        lines.push(rest.slice(0, space));
        length += Math.min(space, rest.length) + 1;
        rest = rest.slice(space);
        if (rest.length > 0) flush();
      }
    } else {
      lines.push(line);
      length += line.length + 1;
    }
    state = next;
  }
  if (lines.length > 0) parts.push(lines.join("\n"));
  return parts;
}

interface BlockState {
  fence: { marker: string; line: string } | null;
  details: number;
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;

function advance(state: BlockState, line: string): BlockState {
  if (state.fence) {
    const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
    const marker = close?.[1];
    if (marker && marker[0] === state.fence.marker[0] && marker.length >= state.fence.marker.length) {
      return { fence: null, details: state.details };
    }
    return state;
  }
  const open = FENCE_OPEN.exec(line);
  if (open?.[1]) return { fence: { marker: open[1], line }, details: state.details };
  const opened = (line.match(/<details[\s>]/gi) ?? []).length;
  const closed = (line.match(/<\/details>/gi) ?? []).length;
  return { fence: null, details: Math.max(0, state.details + opened - closed) };
}
