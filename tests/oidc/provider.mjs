// The certified oidc-provider on loopback, playing the brokers the platform talks to:
// DigiD (a BSN claim and a level as `acr`), eHerkenning (KvK, vestiging, level) and an
// organisation's staff IdP (groups). Started by the test suite (tests/oidc_fixtures.py).
//
// Environment: PORT, CLIENTS (JSON list of client metadata), ACCOUNTS_FILE (JSON object of
// account id -> claims, read on every login so a test can change groups at the IdP),
// JWKS_FILE (private JWKS, so a test can rotate keys by restarting with new ones).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.CLIENTS);
const accountsFile = process.env.ACCOUNTS_FILE;
const jwks = JSON.parse(readFileSync(process.env.JWKS_FILE, 'utf8'));

const LEVELS = [
  'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI',
  'urn:etoegang:core:assurance-class:loa2',
  'urn:etoegang:core:assurance-class:loa2plus',
  'urn:etoegang:core:assurance-class:loa3',
];

function accounts() {
  return JSON.parse(readFileSync(accountsFile, 'utf8'));
}

const provider = new Provider(issuer, {
  clients,
  jwks,
  acrValues: LEVELS,
  claims: {
    openid: ['sub'],
    profile: ['name'],
    email: ['email', 'email_verified'],
    bsn: ['bsn'],
    eherkenning: ['kvk', 'vestiging', 'dienst'],
    groups: ['groups'],
  },
  // Scope claims go into the ID token, as the DigiD/eHerkenning brokers do.
  conformIdTokenClaims: false,
  cookies: { keys: ['test-provider-cookie-key'] },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // First-party clients: the grant is given without a consent screen.
  async loadExistingGrant(ctx) {
    const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    const grant = existing
      ? await ctx.oidc.provider.Grant.find(existing)
      : new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
      });
    grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ') : 'openid');
    grant.addOIDCClaims(['acr', 'bsn', 'kvk', 'vestiging', 'dienst', 'groups', 'name', 'email', 'email_verified']);
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
  // A client whose id ends in "-kort" gets ID tokens that expire after one second.
  ttl: {
    IdToken: (ctx, token, client) => (client.clientId.endsWith('-kort') ? 1 : 3600),
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
    AccessToken: 600,
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Fout</title><h1>Fout bij de testmakelaar</h1><pre>${
      escape(JSON.stringify(out))}</pre>`;
  },
});
provider.on('server_error', (ctx, err) => console.error(err));

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid, details, error = '') {
  const options = LEVELS.map((acr) => `<option value="${acr}">${escape(acr.split(':').pop())}</option>`).join('');
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Testmakelaar: inloggen</title></head>
<body><main><h1>Testmakelaar</h1><p>Inloggen voor ${escape(details.params.client_id)}</p>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label for="login">Gebruiker</label> <input id="login" name="login" autofocus>
<label for="password">Wachtwoord</label> <input id="password" name="password" type="password">
<label for="acr">Niveau</label> <select id="acr" name="acr">${options}</select>
<button type="submit">Inloggen</button>
</form></main></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const handle = provider.callback();
const server = http.createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) return handle(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      return res.end(loginPage(match[1], details));
    }
    const form = await readForm(req);
    const accountId = form.get('login');
    const account = accounts()[accountId];
    if (!account) {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      return res.end(loginPage(match[1], details, 'Onbekende gebruiker'));
    }
    const acr = form.get('acr') || account.acr;
    return provider.interactionFinished(req, res, { login: { accountId, acr } },
      { mergeWithLastSubmission: false });
  } catch (err) {
    res.statusCode = 400;
    return res.end(String(err));
  }
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));
