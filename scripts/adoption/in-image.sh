#!/bin/sh
# Runs INSIDE the harness image (scripts/adoption/image.slow.ts mounts it), in a
# container with no network: a team's day with the image, and every tool it
# promises doing its job —
#   1. the embedded suite from the compiled package: the team's own scenarios
#      (init), the sign-in page in the image's chromium (@browser), Google
#      Authenticator codes and Okta Verify pushes;
#   2. a served lab and the reference agent started by hand (an external agent);
#      oathtool computes Bob's current code and radclient signs him in with it
#      (Access-Accept), then with a wrong one (Access-Reject);
#   3. `run --target external` against that agent with the profile init wrote;
#   4. tshark decodes a pcap of that run with the agent's shared secret.
# Section headers start with "== " so the test can say which part failed.
# Lab values only: the secret is derived from the lab's seed, Bob's TOTP seed
# is in the seed file (simulators/lab/examples/workspaces.yaml).
set -eu
pkg=/opt/radius-mfa-harness/node_modules/radius-mfa-harness
port=18120

echo "== init"
radius-mfa-harness init --dir /tmp/team --name acme --conformance >/dev/null
cd /tmp/team

echo "== embedded"
radius-mfa-harness run --target embedded --ci --out reports/embedded \
  features/acme/radius-basics.feature features/browser/sign-in-page.feature \
  features/factors/google-authenticator.feature features/factors/push.feature

echo "== lab and agent"
radius-mfa-harness lab --seed "$pkg/dist/simulators/lab/examples/workspaces.yaml" \
  --write-agent-config /tmp/agent.yaml --agent-listen "127.0.0.1:$port" >/tmp/lab.json 2>/tmp/lab.log &
i=0; until grep -q agentConfig /tmp/lab.json 2>/dev/null; do i=$((i + 1)); [ $i -lt 240 ] || { cat /tmp/lab.log; exit 1; }; sleep 0.5; done
ca=$(node -p 'JSON.parse(require("fs").readFileSync("/tmp/lab.json", "utf8").split("\n")[0]).okta.caFile')
NODE_EXTRA_CA_CERTS="$ca" radius-mfa-agent --config /tmp/agent.yaml >/tmp/agent.log 2>&1 &
i=0; until grep -q '"msg":"listening"' /tmp/agent.log; do i=$((i + 1)); [ $i -lt 240 ] || { cat /tmp/agent.log; exit 1; }; sleep 0.5; done
secret=$(node -p 'require("yaml").parse(require("fs").readFileSync("/tmp/agent.yaml", "utf8")).apps[0].clients[0].secret')
echo "agent listening on 127.0.0.1:$port"

echo "== radclient with oathtool's code"
code=$(oathtool --totp -b JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP)
printf 'User-Name = bob\nUser-Password = %s\nMessage-Authenticator = 0x00\n' "$code" | radclient -x -r 1 -t 10 "127.0.0.1:$port" auth "$secret" | grep '^Received' || true
echo "== radclient with a wrong code"
printf 'User-Name = bob\nUser-Password = 000000\nMessage-Authenticator = 0x00\n' | radclient -x -r 1 -t 10 "127.0.0.1:$port" auth "$secret" | grep '^Received' || true

echo "== external"
sed -i "s/^port: .*/port: $port/" profiles/acme.yaml
MY_AGENT_SECRET="$secret" radius-mfa-harness run --target external --profile profiles/acme.yaml --ci --out reports/external \
  features/acme/radius-basics.feature

echo "== tshark"
# The wrong-code scenario's capture: with the right secret tshark decrypts the
# User-Password it carried and validates the reply's authenticator.
trace=$(ls reports/external/*/scenarios/*a-wrong-code-is-rejected*.trace.txt | head -1)
[ -f "$trace" ] || { echo "no trace of the wrong-code scenario in reports/external"; exit 1; }
decode=$(grep -o 'udp.port==[0-9]*' "$trace" | head -1)
tshark -r "${trace%.trace.txt}.pcap" -o "radius.shared_secret:$secret" -o radius.validate_authenticator:TRUE -d "$decode,radius" -V 2>&1 \
  | grep -E 'Code: Access-|User-Password: |Authenticator: .*\[(correct|incorrect)\]' | sed 's/^ *//; s/Authenticator: [0-9a-f]*/Authenticator:/' | sort | uniq -c
echo "== done"
