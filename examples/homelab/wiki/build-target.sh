#!/bin/bash
# Provisions the wiki container (Debian): nginx + PHP, DokuWiki kept in
# /usr/local/data so pages survive rebuilds.
set -euo pipefail

package common
package add nginx php-fpm php-xml php-gd php-intl php-mbstring
package install

wiki=/usr/local/data/dokuwiki
if [ ! -d "$wiki" ]; then
    mkdir -p "$wiki"
    curl -fsSL "$DOKUWIKI_URL" | tar -xz -C "$wiki" --strip-components=1
fi
chown -R www-data: "$wiki"
ln -sfn "$wiki" /var/www/dokuwiki

# The admin account, with the password from .env (hashed, never stored plain).
hash=$(ADMIN_PW="$WIKI_ADMIN_PASSWORD" php -r 'echo password_hash(getenv("ADMIN_PW"), PASSWORD_BCRYPT);')
printf '%s:%s:Admin:root@localhost:admin,user\n' "$WIKI_ADMIN_USER" "$hash" >"$wiki/conf/users.auth.php"

ln -sf /usr/local/conf/nginx-wiki.conf /etc/nginx/sites-enabled/default
echo "0 3 * * * root tar -czf /backup/wiki-\$(date +\%a).tgz -C $wiki data conf" >/etc/cron.d/wiki-backup

enableService nginx "$(basename /lib/systemd/system/php*-fpm.service .service)"
