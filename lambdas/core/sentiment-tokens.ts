/**
 * The scorer's tokenizer (sentiment.ts is the entry): text → lower-cased words, emoji, emoticons and joined
 * multi-word entries, each with its sentence and clause number and whether it was written in capitals,
 * which is all the rules (sentiment-rules.ts) read of the text. Phrases and emoticons come from the
 * lexicon (sentiment-lexicon.ts).
 */
import { EMOTICONS, PHRASES } from './sentiment-lexicon';

/** Non-ASCII letters and digits (ASCII is tested by char code, which is what most text is). */
const UNICODE_WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
const EMOJI = /\p{Extended_Pictographic}/u;
/** Characters that make a chunk worth checking against the emoticons. */
const EMOTICON_CHARS = /[:;=<>()[\]{}|\\/^_*@#&$%]/;

const isSpace = (c: number) => c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 160;
const isAsciiWordChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
const isSentenceEnd = (c: number) => c === 46 || c === 33 || c === 63 || c === 59; // . ! ? ;
const isApostrophe = (c: number) => c === 39 || c === 0x2019;

/** Whether the UTF-16 unit at `i` starts a letter or digit (ASCII fast path, Unicode classes otherwise). */
function isWordCharAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return isAsciiWordChar(c);
  if (c >= 0xd800 && c <= 0xdbff) return UNICODE_WORD_CHAR.test(String.fromCodePoint(text.codePointAt(i)!));
  return UNICODE_WORD_CHAR.test(text[i]!);
}

/** Punctuation that may follow an emoticon inside its chunk (":)," ":(!!"). */
const isTrailing = (code: number) => code === 46 || code === 44 || code === 33 || code === 63; // . , ! ?

/** The emoticon a chunk is, allowing trailing punctuation (":)," ":(!!"), or undefined. */
function emoticonOf(chunk: string): string | undefined {
  if (EMOTICONS.has(chunk)) return chunk;
  let end = chunk.length;
  while (end > 1 && isTrailing(chunk.charCodeAt(end - 1))) end--;
  if (end === chunk.length) return undefined;
  const bare = chunk.slice(0, end);
  return EMOTICONS.has(bare) ? bare : undefined;
}

export interface Tokens {
  /** Lower-cased words, emoticons, emoji and joined phrases. */
  readonly words: string[];
  /** Whether the token was written in capitals (two letters or more). */
  readonly caps: boolean[];
  /** Sentence number of each token. */
  readonly sentence: number[];
  /** Clause number of each token: clauses end at sentence ends and at commas and colons. */
  readonly clause: number[];
  /** Per sentence: whether it ends with "?". */
  readonly question: boolean[];
  readonly exclamations: number;
}

/**
 * Words (letters and digits, with inner apostrophes: "don't"), emoji, and emoticons that form a whole
 * whitespace-separated chunk (":)", ":-(,"); sentence ends (. ! ? ; and line breaks) split sentences.
 * A hand-written scanner: the regex version was a third of the scorer's time.
 */
export function tokenize(text: string): Tokens {
  const words: string[] = [];
  const caps: boolean[] = [];
  const sentence: number[] = [];
  const clause: number[] = [];
  const question: boolean[] = [false];
  let exclamations = 0;
  let s = 0;
  let clauseNo = 0;
  const endSentence = (mark: string) => {
    for (const c of mark) if (c === '!') exclamations++;
    question[s] = mark.includes('?');
    question[++s] = false;
    clauseNo++;
  };
  const push = (token: string, capitals: boolean) => {
    words.push(token);
    caps.push(capitals);
    sentence.push(s);
    clause.push(clauseNo);
  };
  const len = text.length;
  let i = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      if (words.length > 0 && sentence[words.length - 1] === s) endSentence('\n');
      i++;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < len && !isSpace(text.charCodeAt(end)) && text.charCodeAt(end) !== 10) end++;
    if (!isAsciiWordChar(c) || EMOTICON_CHARS.test(text.slice(i, end))) {
      const chunk = text.slice(i, end);
      const emoticon = emoticonOf(chunk);
      if (emoticon !== undefined) {
        push(emoticon, false);
        const rest = chunk.slice(emoticon.length);
        if (/[.!?]/.test(rest)) endSentence(rest);
        i = end;
        continue;
      }
    }
    // Pieces of the chunk [i, end).
    while (i < end) {
      if (isWordCharAt(text, i)) {
        const start = i;
        i++;
        while (
          i < end &&
          (isWordCharAt(text, i) ||
            (isApostrophe(text.charCodeAt(i)) && i + 1 < end && isWordCharAt(text, i + 1)))
        )
          i++;
        const word = text.slice(start, i);
        const lower = word.toLowerCase();
        push(
          lower.includes('’') ? lower.replaceAll('’', "'") : lower,
          word.length > 1 && word !== lower && word === word.toUpperCase(),
        );
        continue;
      }
      const d = text.charCodeAt(i);
      if (d === 44 || d === 58) clauseNo++; // , :
      if (isSentenceEnd(d)) {
        const start = i;
        while (i < end && isSentenceEnd(text.charCodeAt(i))) i++;
        endSentence(text.slice(start, i));
        continue;
      }
      if (d >= 0x2000) {
        const cp = text.codePointAt(i)!;
        const symbol = String.fromCodePoint(cp);
        if (EMOJI.test(symbol)) push(symbol, false);
        i += symbol.length;
        continue;
      }
      i++;
    }
  }
  return joinPhrases({ words, caps, sentence, clause, question, exclamations });
}

/** Replaces every multi-word entry inside one sentence by its token, longest first. */
function joinPhrases(t: Tokens): Tokens {
  const { words, caps, sentence, clause } = t;
  let out = 0;
  for (let i = 0; i < words.length; i++) {
    let token = words[i]!;
    let width = 1;
    const candidates = PHRASES.get(token);
    if (candidates) {
      for (const { words: p, token: joined } of candidates) {
        let k = 1;
        while (k < p.length && words[i + k] === p[k] && sentence[i + k] === sentence[i]) k++;
        if (k === p.length) {
          token = joined;
          width = p.length;
          break;
        }
      }
    }
    words[out] = token;
    caps[out] = caps[i]!;
    sentence[out] = sentence[i]!;
    clause[out] = clause[i]!;
    out++;
    i += width - 1;
  }
  words.length = caps.length = sentence.length = clause.length = out;
  return t;
}
