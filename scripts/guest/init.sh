#!/bin/busybox sh
# /init of the busybox initramfs the Linux-boot tests use: a short workload
# on every CPU (system calls, page faults, timer interrupts), then power off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
ncpu=$(grep -c ^processor /proc/cpuinfo)
echo "discon-guest: up with $ncpu CPUs"
cpu=0
while [ "$cpu" -lt "$ncpu" ]; do
  taskset -c "$cpu" sh -c 'i=0; while [ $i -lt 300 ]; do cat /proc/stat >/dev/null; i=$((i+1)); done' &
  cpu=$((cpu + 1))
done
wait
echo "discon-guest: workload done"
poweroff -f
