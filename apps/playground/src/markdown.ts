/** The subset of markdown formatMatrix writes (tables, "- " lists, paragraphs, `code`) as HTML. */
export function markdownToHtml(markdown: string): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const inline = (s: string) => escape(s).replace(/`([^`]+)`/g, '<code>$1</code>');
  const cells = (row: string) => row.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
  const blocks = markdown.split(/\n(?=\s*\n)|\n\s*\n/).map((b) => b.trim()).filter(Boolean);
  return blocks
    .map((block) => {
      const lines = block.split('\n');
      if (lines.every((l) => l.startsWith('|'))) {
        const [head = '', , ...body] = lines;
        const th = cells(head).map((c) => `<th>${inline(c)}</th>`).join('');
        const rows = body.map((r) => `<tr>${cells(r).map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('');
        return `<table><thead><tr>${th}</tr></thead><tbody>${rows}</tbody></table>`;
      }
      const items = lines.filter((l) => l.startsWith('- '));
      const text = lines.filter((l) => !l.startsWith('- ')).map(inline).join(' ');
      return `${text ? `<p class="note">${text}</p>` : ''}${items.length ? `<ul>${items.map((l) => `<li>${inline(l.slice(2))}</li>`).join('')}</ul>` : ''}`;
    })
    .join('\n');
}
