#!/bin/busybox sh
# /init of the busybox initramfs the Linux-boot tests and the demo use: a
# short workload on every CPU, then power off. The default workload mixes
# system calls, page faults and timer interrupts; discon.workload=syscalls
# on the kernel command line runs /bin/sysloop (nothing but system calls).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
ncpu=$(grep -c ^processor /proc/cpuinfo)
echo "discon-guest: up with $ncpu CPUs"
work='i=0; while [ $i -lt 300 ]; do cat /proc/stat >/dev/null; i=$((i+1)); done'
grep -q 'discon.workload=syscalls' /proc/cmdline && work=/bin/sysloop
cpu=0
while [ "$cpu" -lt "$ncpu" ]; do
  taskset -c "$cpu" sh -c "$work" &
  cpu=$((cpu + 1))
done
wait
echo "discon-guest: workload done"
poweroff -f
