# bash completion for discon's tools: discon-record, discond, discon-report,
# discon-dump, trace2sqlite. Installed once per command name (meson) in
# DATADIR/bash-completion/completions, where bash-completion loads it on
# first use. The options come from each tool's --help, so they cannot
# drift from the tool; values the tools take from a fixed set are listed.

# The long options a tool's --help names.
_discon_options()
{
    "$1" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

_discon()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local tool=${COMP_WORDS[0]}
    # After "--": QEMU and its arguments (discon-record, discond).
    local i
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ ${COMP_WORDS[i]} == -- ]]; then
            if ((i + 1 == COMP_CWORD)); then
                COMPREPLY=($(compgen -c -- "$cur"))
            else
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
            return
        fi
    done
    case $prev in
        --format)
            if [[ ${tool##*/} == discon-dump ]]; then
                COMPREPLY=($(compgen -W 'text csv json' -- "$cur"))
            else
                COMPREPLY=($(compgen -W 'text json csv html perfetto' -- "$cur"))
            fi
            return ;;
        --mode) COMPREPLY=($(compgen -W 'block drop' -- "$cur")); return ;;
        --cause|--returns) COMPREPLY=($(compgen -W 'on off' -- "$cur")); return ;;
        --snapshot-on)
            COMPREPLY=($(compgen -W 'usr1 exit fault-loop double-trap all' -- "$cur")); return ;;
        --kaslr-offset) COMPREPLY=($(compgen -W 'auto' -- "$cur")); return ;;
        --types|--type)
            COMPREPLY=($(compgen -W 'interrupt exception hostcall return syscall all' -- "$cur")); return ;;
        -o|--output)
            if [[ ${tool##*/} == trace2sqlite || ${tool##*/} == discon-report ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
            else
                COMPREPLY=($(compgen -d -- "$cur"))
            fi
            return ;;
        --symbols|--stats-json) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        -p|--pid) COMPREPLY=($(compgen -W "$(pgrep qemu 2>/dev/null)" -- "$cur")); return ;;
        --ring|--rotate-size|--rotate-seconds|--flush-ms|--top|--vcpu|--from|--to|--window|\
        --time-bound|--loop|--tail|--duration|--wait|--bpf-ring|--shm|-s|--launcher-fd|--error-fd|\
        --snapshot|--max-files|--max-size|--status-fd)
            return ;; # a value of the user's
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_discon_options "$tool")" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -F _discon discon-record discond discon-report discon-dump trace2sqlite
