// A plain resync on HubSpot's official Node client: the peer the `resync-passes` benchmark measures the worker against.
// It does what a careful script would: pages through every contact (100 per page), computes a simple fit + engagement score,
// and batch-updates (100 per call) only the contacts whose stored score differs. No limiter of its own: it relies on the
// client's retry of HubSpot's 429s (it waits 10 s on TEN_SECONDLY_ROLLING). Run by hand, never by CI:
//   node resync.js --base-url http://127.0.0.1:5000 --token <token> [--retries 6]
// Prints one JSON line: {"calls":{...by endpoint...},"rateLimited":N,"wallSeconds":S,"contacts":N,"updated":N}.
'use strict';

const { Client } = require('@hubspot/api-client');

const ScoreProperty = 'peer_score';
const Properties = [
  'email', 'firstname', 'lastname', 'company', 'phone', 'jobtitle', 'industry', 'numemployees', 'country',
  'num_conversion_events', 'hs_analytics_num_visits', 'hs_email_click', ScoreProperty,
];
const SeniorWords = ['director', 'head', 'vp', 'chief', 'ceo', 'cto', 'cmo', 'founder', 'manager'];
const TargetIndustries = new Set(['COMPUTER_SOFTWARE', 'INTERNET', 'MARKETING_AND_ADVERTISING', 'FINANCIAL_SERVICES']);
const TargetCountries = new Set(['France', 'Germany', 'United Kingdom', 'Belgium', 'Switzerland', 'Canada']);
const FreeMail = new Set(['gmail.com', 'yahoo.fr', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com']);

function argument(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0 || index + 1 >= process.argv.length) {
    if (fallback === undefined) {
      throw new Error(`--${name} is required`);
    }
    return fallback;
  }
  return process.argv[index + 1];
}

function number(value) {
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : 0;
}

function score(p) {
  const title = (p.jobtitle || '').toLowerCase();
  const domain = (p.email || '').split('@')[1] || '';
  let fit = 0;
  if (SeniorWords.some((word) => title.includes(word))) fit += 25;
  if (TargetIndustries.has(p.industry)) fit += 20;
  if (number(p.numemployees) >= 10) fit += 20;
  if (TargetCountries.has(p.country)) fit += 10;
  if (domain && !FreeMail.has(domain)) fit += 15;
  if (p.firstname && p.lastname && p.company && (p.phone || p.jobtitle)) fit += 10;
  const engagement = Math.min(100, 10 * number(p.num_conversion_events) + 2 * number(p.hs_analytics_num_visits) + 5 * number(p.hs_email_click));
  return String(fit + engagement);
}

async function main() {
  const calls = { 'properties.get': 0, 'properties.create': 0, 'contacts.list': 0, 'contacts.batchUpdate': 0 };
  let rateLimited = 0;

  // The client reports each retry on stderr; counting them is the only way to see its 429s from outside.
  const consoleError = console.error;
  console.error = (...args) => {
    if (String(args[0]).includes('status code [429]')) rateLimited++;
    consoleError(...args);
  };

  const client = new Client({
    accessToken: argument('token'),
    basePath: argument('base-url'),
    numberOfApiCallRetries: number(argument('retries', '6')),
  });
  const started = process.hrtime.bigint();

  calls['properties.get']++;
  try {
    await client.crm.properties.coreApi.getByName('contacts', ScoreProperty);
  } catch (error) {
    if (error.code !== 404) throw error;
    calls['properties.create']++;
    await client.crm.properties.coreApi.create('contacts', {
      name: ScoreProperty, label: 'Peer score', type: 'number', fieldType: 'number', groupName: 'contactinformation',
    });
  }

  let after;
  let contacts = 0;
  let updated = 0;
  let pending = [];
  const flush = async () => {
    calls['contacts.batchUpdate']++;
    await client.crm.contacts.batchApi.update({ inputs: pending });
    updated += pending.length;
    pending = [];
  };

  do {
    calls['contacts.list']++;
    const page = await client.crm.contacts.basicApi.getPage(100, after, Properties);
    for (const contact of page.results) {
      contacts++;
      const next = score(contact.properties);
      if (contact.properties[ScoreProperty] !== next) {
        pending.push({ id: contact.id, properties: { [ScoreProperty]: next } });
        if (pending.length === 100) await flush();
      }
    }
    after = page.paging?.next?.after;
  } while (after);
  if (pending.length > 0) await flush();

  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ calls, rateLimited, wallSeconds, contacts, updated }) + '\n');
}

main().catch((error) => {
  console.error(error?.body ?? error);
  process.exit(1);
});
