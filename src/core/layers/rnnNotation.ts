/**
 * The notebooks' notation for SimpleRNN / LSTM / GRU (and their CuDNN twins): symbols, shapes in
 * letters, parameter arithmetic, equations and the shape of every term, as data for the panel.
 */
import { activationName } from '../math/activations';
import type { Description, Letter, NotationCtx, Term } from './types';

/** What the notation needs of a recurrent layer's config (a subset of recurrent.ts's RnnParams). */
export interface RnnNotationParams {
  kind: string;
  units: number;
  activation: unknown;
  recurrentActivation: unknown;
  useBias: boolean;
  returnSequences: boolean;
  resetAfter: boolean;
}

/**
 * Notation of one recurrent layer: symbols with this layer's superscript (Wx⁽²⁾, h⁽²⁾_t), the
 * input width named after what feeds it (D for the model's input, M⁽¹⁾ after layer 1), the
 * equations, and the shape of every term the equations use.
 */
export function rnnNotation(p: RnnNotationParams, gates: string[], shapes: (number | null)[][], where?: NotationCtx, name = ''): Description {
  const G = Math.max(1, gates.length);
  const M = p.units;
  const D = shapes[0]?.[0] ?? null;
  const sup = where?.sup ?? '';
  const dir = where?.dir ?? '';
  const Ml = `M${sup}`;
  const Dl = where?.inLetter ?? (D == null ? '?' : String(D));
  const blocks = gates.length ? gates.map((gate, k) => ({ gate, columns: [k * M, (k + 1) * M] as [number, number] })) : undefined;
  const s = (base: string): string => `${base}${sup}${dir}`;
  const [Wx, Wh, bh] = [s('Wx'), s('Wh'), s('bh')];
  const gl = (letter: string): string => (G === 1 ? letter : `${G}${letter}`);
  const weights: Description['weights'] = [
    { symbol: Wx, notation: `${Dl}×${gl(Ml)}`, blocks },
    { symbol: Wh, notation: `${Ml}×${gl(Ml)}`, blocks },
  ];
  const twoRowBias = p.useBias && shapes[2]?.length === 2;
  if (p.useBias) {
    const cudnn = p.kind === 'CuDNNLSTM' || p.kind === 'CuDNNGRU';
    weights.push({ symbol: bh, notation: twoRowBias ? `2×${gl(Ml)}` : cudnn ? `${2 * G}${Ml}` : gl(Ml), blocks });
  }
  let arithmetic: string | undefined;
  if (D != null) {
    const biasTerm = !p.useBias ? '' : twoRowBias || p.kind === 'CuDNNLSTM' || p.kind === 'CuDNNGRU' ? ` + 2×${M}` : ` + ${M}`;
    const per = (p.useBias ? (twoRowBias || p.kind.startsWith('CuDNN') ? 2 : 1) * M : 0) + D * M + M * M;
    const inner = `${D}×${M} + ${M}×${M}${biasTerm}`;
    arithmetic = G === 1 ? `${inner} = ${per}` : `${G}×(${inner}) = ${G * per}`;
  }
  const act = activationName(p.activation);
  const ract = activationName(p.recurrentActivation);
  const x = where?.inVector ?? 'x_t';
  const hv = `h${dir}${sup}`;
  const cv = `c${dir}${sup}`;
  // The backward half of a Bidirectional runs from t = T down to 1: its previous state is h_{t+1}.
  const prev = dir === '←' ? '{t+1}' : '{t-1}';
  const [h, hp, c, cp] = [`${hv}_t`, `${hv}_${prev}`, `${cv}_t`, `${cv}_${prev}`];
  const b = (g: string): string => (p.useBias ? ` + ${bh}${g}` : '');
  const terms: Record<string, Term> = {};
  const vec = (t: string): void => void (terms[t] = { letters: Ml, numbers: String(M) });
  terms[x] = { letters: Dl, numbers: D == null ? '?' : String(D) };
  for (const t of [h, hp, `${hv}_T`, `${hv}_1`]) vec(t);
  const mat = (sym: string, rows: string, rowsN: number | null): void =>
    void (terms[sym] = { letters: `${rows}×${Ml}`, numbers: `${rowsN ?? '?'}×${M}` });
  let equations: string[];
  if (G === 1) {
    mat(Wx, Dl, D);
    mat(Wh, Ml, M);
    vec(bh);
    equations = [`${h} = ${act}(${x}·${Wx} + ${hp}·${Wh}${b('')})`];
  } else {
    for (const g of gates) {
      mat(`${Wx}_${g}`, Dl, D);
      mat(`${Wh}_${g}`, Ml, M);
      vec(`${bh}_${g}`);
      vec(`bx${sup}${dir}_${g}`);
      vec(`${g === 'c' ? 'c̃' : g === 'h' ? 'h̃' : g}_t`);
    }
    if (G === 4) {
      for (const t of [c, cp]) vec(t);
      equations = [
        `i_t = ${ract}(${x}·${Wx}_i + ${hp}·${Wh}_i${b('_i')})`,
        `f_t = ${ract}(${x}·${Wx}_f + ${hp}·${Wh}_f${b('_f')})`,
        `c̃_t = ${act}(${x}·${Wx}_c + ${hp}·${Wh}_c${b('_c')})`,
        `o_t = ${ract}(${x}·${Wx}_o + ${hp}·${Wh}_o${b('_o')})`,
        `${c} = f_t ⊙ ${cp} + i_t ⊙ c̃_t`,
        `${h} = o_t ⊙ ${act}(${c})`,
      ];
    } else if (p.resetAfter) {
      const bx = (g: string): string => (p.useBias ? ` + bx${sup}${dir}_${g}` : '');
      equations = [
        `z_t = ${ract}(${x}·${Wx}_z${bx('z')} + ${hp}·${Wh}_z${b('_z')})`,
        `r_t = ${ract}(${x}·${Wx}_r${bx('r')} + ${hp}·${Wh}_r${b('_r')})`,
        `h̃_t = ${act}(${x}·${Wx}_h${bx('h')} + r_t ⊙ (${hp}·${Wh}_h${b('_h')}))`,
        `${h} = z_t ⊙ ${hp} + (1 − z_t) ⊙ h̃_t`,
      ];
      if (p.useBias) equations.push(`bx${sup}${dir} = ${bh}[0] (input bias row), ${bh} = ${bh}[1] (recurrent bias row)`);
    } else {
      equations = [
        `z_t = ${ract}(${x}·${Wx}_z + ${hp}·${Wh}_z${b('_z')})`,
        `r_t = ${ract}(${x}·${Wx}_r + ${hp}·${Wh}_r${b('_r')})`,
        `h̃_t = ${act}(${x}·${Wx}_h + (r_t ⊙ ${hp})·${Wh}_h${b('_h')})`,
        `${h} = z_t ⊙ ${hp} + (1 − z_t) ⊙ h̃_t`,
      ];
    }
  }
  const letters: Letter[] = dir ? [] : [{ letter: Ml, value: M, meaning: `hidden units${name ? ` of ${name}` : ''}` }];
  return {
    weights,
    arithmetic,
    equations,
    terms,
    letters,
    outLetter: Ml,
    outVector: p.returnSequences ? `${hv}_t` : `${hv}_T`,
  };
}
