/**
 * A structured recognition grammar, shared by whoever produces expectations (nlu/, domain/) and
 * recognizers that accept one (the offline pocketsphinx JSGF; cloud recognizers use the phrases).
 *
 * Syntax of each rule body (a JSGF subset): lowercase words, `<rule>` references, `( … )`
 * groups, `[ … ]` optional parts, `|` alternatives, and a trailing `*` or `+` on a group or
 * reference. `root` names the public rule. Words must be plain dictionary words ([a-z'-]).
 */
export interface SpeechGrammar {
  root: string;
  rules: Readonly<Record<string, string>>;
}
