# Marks a begin and never its end: the rig must report it as timed out.
echo "<2>IOSUP-MARK begin hang" >/dev/kmsg
exec sleep 100000
