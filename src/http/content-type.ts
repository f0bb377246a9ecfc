/**
 * Whether a Content-Type's charset, if it names one, is UTF-8: JSON bodies are
 * UTF-8 (RFC 8259), and a body declared as another charset would otherwise be
 * decoded as UTF-8 all the same, as something the client did not mean.
 */
export function declaresOnlyUtf8(contentType: string | null | undefined): boolean {
  if (contentType === null || contentType === undefined) return true;
  for (const parameter of contentType.split(';').slice(1)) {
    const [name = '', ...value] = parameter.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') return false;
  }
  return true;
}
