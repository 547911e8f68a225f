// The operator app's words about dispositions (wrap-up codes), kept together for the catalogs.
export const dispositionWords = {
  label: "Disposition",
  required: "required",
  choose: "Choose what came of the call…",
  saved: (label: string) => `Saved: ${label}`,
  saving: "Saving…",
  notSet: "Not set yet",
  doneBlocked: "Choose a disposition first: this queue requires one before you are ready again.",
  kept: "Choose a disposition to finish",
  failed: (message: string) => `Disposition not saved: ${message}`,
};
