// Loads every language's catalog before the tests (a page loads the one it speaks before it
// renders): setLang then switches at once, as the tests expect.
import { languages, loadLang, type Lang } from "../src/i18n/i18n";

await Promise.all((Object.keys(languages) as Lang[]).map((l) => loadLang(l)));
