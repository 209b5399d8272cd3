/**
 * An upgrade and its rollback with the real package manager: two builds of the .deb (an older
 * and a newer version) installed with dpkg into a scratch root, so the maintainer scripts run
 * as on a terminal. The root is this machine's /usr, /etc and /var under overlays (writes go
 * to a temporary folder; dependencies are those installed here), entered with chroot in a
 * private mount namespace (`unshare -m`). Each step mounts the overlays anew, so the test
 * reads and changes the root's files between steps from their upper folders.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../kiosk/src/store/test-support.ts';
import { buildDeb } from './deb.ts';
import { marker, setMarker } from './store-marker.testing.ts';

const LAYERS = ['usr', 'etc', 'var'] as const;

/** Mounts the overlays and runs `script` in the chroot; the mounts end with the namespace. */
const ENTER = `set -e
R=$1; W=$2; shift 2
for d in ${LAYERS.join(' ')}; do
  mkdir -p "$R/$d" "$W/$d.up" "$W/$d.work"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$W/$d.up,workdir=$W/$d.work" "$R/$d"
done
for d in bin sbin lib lib64; do [ -e "$R/$d" ] || ln -s "usr/$d" "$R/$d"; done
mkdir -p "$R/dev" "$R/proc" "$R/run" "$R/tmp" "$R/pkgs" && chmod 1777 "$R/tmp"
mount --rbind /dev "$R/dev" && mount --rbind /proc "$R/proc" && mount --bind "$W/pkgs" "$R/pkgs"
exec chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin LC_ALL=C.UTF-8 /bin/sh -ec "$1"`;

/** dpkg without an fsync per file: a scratch root need not survive a power cut, and it is minutes faster. */
const DPKG = 'dpkg --force-unsafe-io -i';

const canMount = () =>
  process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;

test('upgrade archives the installed version and backs up the store; rollback restores both from there', {
  skip: !canMount() && 'needs root and unshare -m',
  timeout: 600_000,
}, (t) => {
  const dir = tempDir(t, 'upgrade-');
  const root = join(dir, 'root');
  const work = join(dir, 'work');
  mkdirSync(root);
  mkdirSync(join(work, 'pkgs'), { recursive: true });
  for (const version of ['0.0.8', '0.0.9', '0.1.0']) {
    buildDeb({ outDir: join(work, 'pkgs'), version });
  }
  const inRoot = (script: string) => {
    const result = spawnSync('unshare', ['-m', 'sh', '-c', ENTER, 'enter', root, work, script], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    return { status: result.status, out: `${result.stdout}${result.stderr}` };
  };
  const ok = (script: string) => {
    const result = inRoot(script);
    assert.equal(result.status, 0, result.out);
    return result.out;
  };
  const data = join(work, 'var.up', 'lib', 'amtomat');
  const store = join(data, 'kiosk.sqlite');
  const installed = () => ok(`dpkg-query -W -f '\${Version}' amtomat`).trim();

  // The site keeps one archived version (the default is 3).
  ok('echo KEEP_PACKAGES=1 > /etc/default/amtomat');
  ok(`${DPKG} /pkgs/amtomat_0.0.8_amd64.deb && ${DPKG} /pkgs/amtomat_0.0.9_amd64.deb`);
  assert.equal(installed(), '0.0.9');
  assert.deepEqual(readdirSync(join(data, 'packages')), ['amtomat_0.0.8_amd64.deb']);
  // The store as 0.0.9 left it, owned by the kiosk's user as the service writes it.
  const uid = Number(
    /^amtomat:x:(\d+):/m.exec(readFileSync(join(work, 'etc.up', 'passwd'), 'utf8'))?.[1],
  );
  assert.ok(uid > 0, 'postinst made the system user');
  setMarker(store, 'as 0.0.9 left it');
  chownSync(store, uid, uid);

  const upgrade = ok(`${DPKG} /pkgs/amtomat_0.1.0_amd64.deb`);
  assert.equal(installed(), '0.1.0');
  assert.match(upgrade, /amtomat: version 0\.0\.9 archived in \/var\/lib\/amtomat\/packages/);
  const archive = join(data, 'packages', 'amtomat_0.0.9_amd64.deb');
  assert.deepEqual(readdirSync(join(data, 'packages')), ['amtomat_0.0.9_amd64.deb'], 'kept: 1');
  // The archive is the old package: its version, and its files (the app, the units).
  assert.equal(
    execFileSync('dpkg-deb', ['-f', archive, 'Version'], { encoding: 'utf8' }).trim(),
    '0.0.9',
  );
  const files = execFileSync('dpkg-deb', ['-c', archive], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  assert.match(files, /\.\/usr\/lib\/amtomat\/app\/kiosk\/src\/service\/main\.ts/);
  assert.match(files, /\.\/lib\/systemd\/system\/amtomat-kiosk\.service/);
  const backups = readdirSync(join(data, 'backups'));
  assert.deepEqual(
    backups.filter((name) => name.startsWith('pre-upgrade-')).map((name) => name.slice(0, 18)),
    ['pre-upgrade-0.0.9-'],
    'the store backed up before the upgrade (0.0.8 to 0.0.9 had no store yet)',
  );

  // The new version migrated the store; then it misbehaves: roll back, nothing downloaded.
  setMarker(store, 'as 0.1.0 changed it');
  // rollback's own default is apt-get (which would also resolve changed dependencies).
  const rolled = ok(`AMTOMAT_INSTALL="${DPKG}" /usr/lib/amtomat/bin/rollback`);
  assert.match(rolled, /rollback: version 0\.0\.9 installed, its store from pre-upgrade-0\.0\.9-/);
  assert.equal(installed(), '0.0.9');
  assert.equal(marker(store), 'as 0.0.9 left it');
  const kept = readdirSync(join(data, 'backups')).find((name) => name.startsWith('pre-rollback-'));
  assert.ok(kept, 'the newer store is kept');
  assert.equal(marker(join(data, 'backups', kept)), 'as 0.1.0 changed it');
  // The downgrade archived 0.1.0 in turn (a way forward again) and made no pre-upgrade backup.
  assert.deepEqual(readdirSync(join(data, 'packages')), ['amtomat_0.1.0_amd64.deb']);
  assert.equal(
    readdirSync(join(data, 'backups')).filter((name) => name.startsWith('pre-upgrade-')).length,
    1,
  );
  // A second rollback has nothing to go back to, and says so.
  const again = inRoot('/usr/lib/amtomat/bin/rollback');
  assert.equal(again.status, 1);
  assert.match(again.out, /rollback: version 0\.0\.9 is installed already/);
  assert.equal(marker(store), 'as 0.0.9 left it');
});
