#!/bin/bash
# Provisions the dns container (Alpine): dnsmasq reading its config from
# /usr/local/conf, with the upstream servers from configSettings.
set -euo pipefail

package common
package add dnsmasq
package install

ln -sf /usr/local/conf/dnsmasq.conf /etc/dnsmasq.conf
ln -sf /usr/local/conf/hosts.lan /etc/hosts.lan
mkdir -p /etc/dnsmasq.d
/usr/local/sbin/dns-upstreams "$LAN_DOMAIN" $UPSTREAM_DNS >/etc/dnsmasq.d/upstreams.conf

# Same SSH host keys after every rebuild.
persist ssh /etc/ssh
enableService dnsmasq sshd
