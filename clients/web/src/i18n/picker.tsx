// The language picker: a labelled select, in every header.
import { catalog, languages, setLang, useLang, type Lang } from "./i18n";

const t = catalog({ language: "Language" }, { ru: { language: "Язык" } });

export function LanguagePicker() {
  const l = useLang();
  return (
    <label class="language">
      <span>{t("language")}</span>
      <select value={l} onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}>
        {(Object.keys(languages) as Lang[]).map((k) => (
          <option key={k} value={k} lang={k}>
            {languages[k]}
          </option>
        ))}
      </select>
    </label>
  );
}
