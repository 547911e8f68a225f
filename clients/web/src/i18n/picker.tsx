// The language picker: a labelled select, in every header.
import { languages, setLang, t, useLang, type Lang } from "./i18n";

export function LanguagePicker() {
  const l = useLang();
  return (
    <label class="language">
      <span>{t("language.label")}</span>
      <select value={l} onChange={(e) => void setLang((e.currentTarget as HTMLSelectElement).value as Lang)}>
        {(Object.keys(languages) as Lang[]).map((k) => (
          <option key={k} value={k} lang={k}>
            {languages[k]}
          </option>
        ))}
      </select>
    </label>
  );
}
