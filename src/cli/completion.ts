// Shell completion for hive-zk: a bash function built from the command table (commands, each
// command's options, the values of --shell and --hive-version, file names for file options);
// zsh loads the same function through its bash completion layer.

import { HIVE_DRIVER_VERSIONS } from '../core/jdbc/driverVersions';
import { HiveZkError, preview } from '../core/errors';
import { SHELL_KINDS } from '../core/jdbc/beeline';
import { COMMANDS, META_COMMANDS, optionNames } from './commands';

/** Options whose value is a file name. */
const FILE_OPTIONS = ['--password-file', '--tls-ca', '--tls-cert', '--tls-key', '--tls-keystore'];

function bashFunction(): string {
  const names = Object.keys(COMMANDS);
  const perCommand = names.map((name) => `    ${name}) opts="${optionNames(name).join(' ')}" ;;`).join('\n');
  return `_hive_zk() {
  local cur prev opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${[...names, ...META_COMMANDS].join(' ')}" -- "$cur") )
    return 0
  fi
  case "\${COMP_WORDS[1]}" in
    help) COMPREPLY=( $(compgen -W "${names.join(' ')}" -- "$cur") ); return 0 ;;
    completion) COMPREPLY=( $(compgen -W "bash zsh" -- "$cur") ); return 0 ;;
  esac
  case "$prev" in
    --shell) COMPREPLY=( $(compgen -W "${SHELL_KINDS.join(' ')}" -- "$cur") ); return 0 ;;
    --hive-version) COMPREPLY=( $(compgen -W "${HIVE_DRIVER_VERSIONS.join(' ')}" -- "$cur") ); return 0 ;;
    --sasl) COMPREPLY=( $(compgen -W "digest kerberos" -- "$cur") ); return 0 ;;
    ${FILE_OPTIONS.join('|')}) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
  esac
  opts=""
  case "\${COMP_WORDS[1]}" in
${perCommand}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
  return 0
}
`;
}

/** The completion script for `shell`: `eval "$(hive-zk completion bash)"`, or put it in ~/.bashrc / ~/.zshrc. */
export function completionScript(shell: string | undefined): string {
  if (shell === 'bash') {
    return `# hive-zk completion for bash: eval "$(hive-zk completion bash)"\n${bashFunction()}complete -o default -F _hive_zk hive-zk\n`;
  }
  if (shell === 'zsh') {
    return `# hive-zk completion for zsh: eval "$(hive-zk completion zsh)"\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n${bashFunction()}complete -o default -F _hive_zk hive-zk\n`;
  }
  throw new HiveZkError('BAD_ARGUMENT', `Give the shell: hive-zk completion bash, or hive-zk completion zsh${shell === undefined ? '' : ` (not "${preview(shell, 20)}")`}.`);
}
