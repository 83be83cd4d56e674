# Marks a begin and never its end: the rig must report it as timed out.
. /lib/rig/guest.sh
mark "begin hang"
exec sleep 100000
