/**
 * Phone simulator: calls the service exactly as Twilio would (signed voice webhook → TwiML →
 * Media Stream with `connected`/`start`, paced µ-law audio, marks echoed at playback time).
 *
 *   npm run call -- [--server URL] [--from +1…] [--to +1…] [--say "text"]... [--dtmf "12#"]...
 *                   [--silence MS]... [--json] [--voice en-us] [--rate 130]
 *
 * Steps run in the order given; each waits until the bot has finished speaking. The bot's words
 * and what the service heard come from the call record (GET /api/calls/:callSid; bearer token
 * from ADMIN_API_TOKEN). Exit code: 0 = call completed, 1 = bad usage, 2 = protocol or
 * connection failure.
 */
import { runSimulatedCall, type SimStep } from './lib/simulated-call.js';

interface Args {
  server: string;
  from: string;
  to: string;
  steps: SimStep[];
  json: boolean;
  voice: string;
  rate?: number;
}

function usage(msg: string): never {
  process.stderr.write(
    `${msg}\nusage: npm run call -- [--server URL] [--from E164] [--to E164] [--say TEXT]... [--dtmf DIGITS]... [--silence MS]... [--json]\n`,
  );
  process.exit(1);
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    server: `http://127.0.0.1:${process.env.PORT ?? 8080}`,
    from: '+15550001111',
    to: '+15550002222',
    steps: [],
    json: false,
    voice: 'en-us',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === '--json') a.json = true;
    else if (flag === '--server') a.server = value();
    else if (flag === '--from') a.from = value();
    else if (flag === '--to') a.to = value();
    else if (flag === '--voice') a.voice = value();
    else if (flag === '--rate') {
      const wpm = Number(value());
      if (!Number.isFinite(wpm) || wpm < 80 || wpm > 400)
        usage('--rate takes words per minute (80-400)');
      a.rate = wpm;
    } else if (flag === '--say') a.steps.push({ kind: 'say', text: value() });
    else if (flag === '--dtmf') {
      const digits = value();
      if (!/^[0-9*#]+$/.test(digits)) usage('--dtmf takes digits 0-9, * and #');
      a.steps.push({ kind: 'dtmf', digits });
    } else if (flag === '--silence') {
      const ms = Number(value());
      if (!Number.isFinite(ms) || ms < 0) usage('--silence takes milliseconds');
      a.steps.push({ kind: 'silence', ms });
    } else usage(`unknown option ${flag}`);
  }
  return a;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const result = await runSimulatedCall({
    server: args.server,
    from: args.from,
    to: args.to,
    steps: args.steps,
    voice: args.voice,
    ...(args.rate !== undefined ? { rate: args.rate } : {}),
    ...(process.env.TWILIO_AUTH_TOKEN ? { authToken: process.env.TWILIO_AUTH_TOKEN } : {}),
    ...(process.env.PUBLIC_BASE_URL ? { publicUrl: process.env.PUBLIC_BASE_URL } : {}),
    ...(process.env.ADMIN_API_TOKEN ? { adminToken: process.env.ADMIN_API_TOKEN } : {}),
    ...(process.env.ESPEAK_BIN ? { espeakBin: process.env.ESPEAK_BIN } : {}),
  });
  if (args.json) {
    const { callSid, turns, outcome, durationMs } = result;
    process.stdout.write(`${JSON.stringify({ callSid, turns, outcome, durationMs })}\n`);
  } else {
    process.stdout.write(`call ${result.callSid}\n`);
    for (const t of result.turns) {
      if (t.role === 'bot') process.stdout.write(`  bot:    ${t.text}\n`);
      else
        process.stdout.write(
          `  caller: ${t.text}${t.heard !== undefined ? `   (heard: "${t.heard}")` : ''}\n`,
        );
    }
    process.stdout.write(
      `outcome: ${result.outcome}  (${(result.durationMs / 1000).toFixed(1)} s)\n`,
    );
  }
  if (result.problems.length > 0) {
    process.stderr.write(`protocol problems:\n  ${result.problems.join('\n  ')}\n`);
    process.exit(2);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`call failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
