// Languages: which one the pages speak (the one chosen here, else the browser's first we have,
// else English), the catalogs' messages with their holes and plurals, and numbers and dates
// through Intl in that language. Every string a page shows comes from a catalog: en.ts names
// the keys, and every other language's catalog must give each of them (tsc names a missing
// one); a new language is a copy of en.ts translated and one line in `languages` below.
import { useEffect, useState } from "preact/hooks";
import { en } from "./en";

export const languages = { en: "English", ru: "Русский" } as const;
export type Lang = keyof typeof languages;
export type Key = keyof typeof en;
export type Catalog = Record<Key, Message>;
/** The catalogs loaded: English always (it names the keys, and speaks until another language
 * has loaded); the others when first spoken, so a page carries only what it speaks. */
const catalogs: Partial<Record<Lang, Catalog>> = { en };
const loaders: Record<Exclude<Lang, "en">, () => Promise<Catalog>> = {
  ru: () => import("./ru").then((m) => m.ru),
};

/** A message: text with {name} holes, or one text per plural category (Intl.PluralRules) of
 * its {count}. English needs one/other; Russian one/few/many/other. */
export type Message = string | Plural;
export interface Plural {
  one?: string;
  few?: string;
  many?: string;
  other: string;
}
export type Params = Record<string, string | number>;

const langKey = "tandem.lang";

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function isLang(x: unknown): x is Lang {
  return typeof x === "string" && Object.hasOwn(languages, x);
}

/** The language to speak: the one chosen before, else the first of the browser's we have
 * ("ru-RU" is ru), else English. */
export function detect(chosen: string | null, preferred: readonly string[]): Lang {
  if (isLang(chosen)) return chosen;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0];
    if (isLang(base)) return base;
  }
  return "en";
}

let current: Lang = detect(storage()?.getItem(langKey) ?? null, globalThis.navigator?.languages ?? []);
const listeners = new Set<(l: Lang) => void>();
if (globalThis.document) document.documentElement.lang = current;

export function lang(): Lang {
  return current;
}

/** Speak l from now on (remembered in this browser): the page's lang attribute and every
 * component using useLang follow. */
export function setLang(l: Lang): Promise<void> {
  if (!catalogs[l]) return loadLang(l).then(() => setLang(l));
  if (l !== current) {
    current = l;
    storage()?.setItem(langKey, l);
    if (globalThis.document) document.documentElement.lang = l;
    for (const f of listeners) f(l);
  }
  return Promise.resolve();
}

/** Loads l's catalog (by default the language the page speaks); the pages wait for it before
 * they first render, so a Russian reader never sees English first. */
export async function loadLang(l: Lang = current): Promise<void> {
  if (catalogs[l] || l === "en") return;
  catalogs[l] = await loaders[l]();
}

/** The language, re-rendering the component when it changes. */
export function useLang(): Lang {
  const [l, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    set(current);
    return () => void listeners.delete(set);
  }, []);
  return l;
}

const pluralRules = new Map<Lang, Intl.PluralRules>();
const numberFormats = new Map<string, Intl.NumberFormat>();

/** n in the language's digits and separators (1,234.5 / 1 234,5). */
export function num(n: number, opts: Intl.NumberFormatOptions = {}, l: Lang = current): string {
  const key = l + JSON.stringify(opts);
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(l, opts)));
  return f.format(n);
}

/** A share as a percentage: 0.873 → 87.3 % (87,3 % in Russian). */
export function percent(share: number, digits = 1, l: Lang = current): string {
  return num(share, { style: "percent", maximumFractionDigits: digits, minimumFractionDigits: 0 }, l);
}

/** A date and/or time in the language (and the zone given, else the browser's). */
export function dateTime(ms: number, opts: Intl.DateTimeFormatOptions, l: Lang = current): string {
  return new Intl.DateTimeFormat(l, opts).format(ms);
}

/** The message with its holes filled: {count} picks the plural and, like every number, is
 * written in the language; a hole without a value stays visible ({name}) rather than vanish. */
export function format(m: Message, params: Params = {}, l: Lang = current): string {
  let text: string;
  if (typeof m === "string") text = m;
  else {
    const count = Number(params.count ?? 0);
    let rules = pluralRules.get(l);
    if (!rules) pluralRules.set(l, (rules = new Intl.PluralRules(l)));
    const cat = rules.select(count) as keyof Plural;
    text = m[cat] ?? m.other;
  }
  return text.replace(/\{(\w+)\}/g, (hole, name: string) => {
    const v = params[name];
    if (v === undefined) return hole;
    return typeof v === "number" ? num(v, {}, l) : v;
  });
}

/** The key's message in the current language, holes filled (see format). */
export function t(key: Key, params?: Params): string {
  return format((catalogs[current] ?? en)[key], params);
}

/** A table of words by catalog key, each read in the current language when looked up (so a
 * page rendering after a language switch speaks the new one); a null key reads as "". */
export function catalogWords<K extends PropertyKey>(keys: Record<K, Key | null>): Readonly<Record<K, string>> {
  const out = {} as Record<K, string>;
  for (const k of Object.keys(keys) as K[]) {
    const key = keys[k];
    Object.defineProperty(out, k, { enumerable: true, get: () => (key ? t(key) : "") });
  }
  return out;
}
