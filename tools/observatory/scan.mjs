// The MDN HTTP Observatory's scoring, run on this machine: the package's own
// retriever, tests and grader (as its CLI's scan()), with ports, since the
// local deployment does not own 80 and 443. Usage:
//   NODE_EXTRA_CA_CERTS=cert.pem node scan.mjs HOST HTTPS_PORT HTTP_PORT
// Prints the score, the grade and each test's result as JSON.
import { retrieve } from "@mdn/mdn-http-observatory/src/retriever/retriever.js";
import { ALL_TESTS } from "@mdn/mdn-http-observatory/src/constants.js";
import { MINIMUM_SCORE_FOR_EXTRA_CREDIT } from "@mdn/mdn-http-observatory/src/grader/charts.js";
import { getGradeForScore, getScoreModifier } from "@mdn/mdn-http-observatory/src/grader/grader.js";

const [host, httpsPort, httpPort] = process.argv.slice(2);
const r = await retrieve(host, { httpsPort, httpPort });
if (!r.responses.auto) {
  console.error(`observatory: ${host}:${httpsPort} did not answer`);
  process.exit(1);
}
let extra = 100;
let uncurved = 100;
const tests = {};
for (const test of ALL_TESTS) {
  const out = test(r);
  if (!out.result) continue;
  const modifier = getScoreModifier(out.result);
  extra += modifier;
  if (modifier < 0) uncurved += modifier;
  tests[out.constructor.name.replace(/Output$/, "")] = { result: out.result, pass: out.pass, modifier };
}
const score = uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? extra : uncurved;
const { grade } = getGradeForScore(score);
console.log(JSON.stringify({ host: `${host}:${httpsPort}`, status: r.responses.auto.status, score, grade, tests }, null, 2));
