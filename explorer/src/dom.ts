/** Element helpers. Text always goes in as text nodes: block data is whatever a client sent. */

export type Child = Node | string | null | undefined | false;

/** `<tag attribute=…>children</tag>`; `class` sets the class list, other keys are attributes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** The element with `id`, which the page must have, of the expected kind. */
export function byId<T extends HTMLElement>(id: string, kind: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`explorer: #${id} is missing from the page`);
  return element;
}

/** Shows `message` in `element`, or hides it when null. */
export function showMessage(element: HTMLElement, message: string | null): void {
  element.hidden = message === null;
  element.textContent = message ?? '';
}
