import { textOf } from '../support/form-client.js';

/** Every `<input>` of a page as a map of its attributes. */
export function inputsIn(body: string): Map<string, string>[] {
  return [...body.matchAll(/<input\b([^>]*)>/g)].map((match) => {
    const attributes = new Map<string, string>();
    for (const [, name, value] of (match[1] ?? '').matchAll(/([\w-]+)(?:="([^"]*)")?/g)) attributes.set(name!, value ?? '');
    return attributes;
  });
}

/** The visible (not hidden) input named `name`. */
export function inputNamed(body: string, name: string): Map<string, string> | undefined {
  return inputsIn(body).find((input) => input.get('name') === name && input.get('type') !== 'hidden');
}

/** The text inside the element with this id, or undefined when no element has it. */
export function textOfElementWithId(body: string, id: string): string | undefined {
  const match = new RegExp(`<(\\w+)\\b[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(body);
  return match === null ? undefined : textOf(match[2] ?? '');
}
