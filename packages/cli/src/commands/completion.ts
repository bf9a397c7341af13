import type { Command } from "commander";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { examples } from "./shared.js";

interface CommandNode {
  /** Space-separated path below the program, "" for the program itself. */
  path: string;
  /** Subcommand names and aliases. */
  words: string[];
  options: string[];
}

/** Every command path with what can follow it, read from the commander tree (so it never drifts). */
export function commandTree(program: Command): CommandNode[] {
  const nodes: CommandNode[] = [];
  const visit = (command: Command, path: string, inherited: string[]) => {
    const options = [
      ...inherited,
      ...command.options.flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f))),
      "--help",
    ];
    const subcommands = command.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
    nodes.push({
      path,
      words: subcommands.flatMap((c) => [c.name(), ...c.aliases()]),
      options: [...new Set(options)],
    });
    for (const sub of subcommands) {
      for (const name of [sub.name(), ...sub.aliases()]) {
        visit(sub, path ? `${path} ${name}` : name, path === "" ? globalsOf(command) : inherited);
      }
    }
  };
  visit(program, "", []);
  return nodes;
}

function globalsOf(program: Command): string[] {
  return program.options.flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f)));
}

const VALUE_COMPLETIONS = {
  output: "table json yaml",
  format: "markdown json",
  shell: "bash zsh",
};

export function bashCompletion(program: Command): string {
  const nodes = commandTree(program);
  const cases = nodes
    .map((n) => `    "${n.path}") words="${[...n.words, ...n.options].join(" ")}" ;;`)
    .join("\n");
  const known = nodes
    .filter((n) => n.path !== "")
    .map((n) => `"${n.path}"`)
    .join("|");
  return `# bash completion for drsctl: source <(drsctl completion bash)
_drsctl() {
  local cur prev path="" w i words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    -o|--output) COMPREPLY=( $(compgen -W "${VALUE_COMPLETIONS.output}" -- "$cur") ); return 0 ;;
    --format) COMPREPLY=( $(compgen -W "${VALUE_COMPLETIONS.format}" -- "$cur") ); return 0 ;;
    -f|--file|--output-file) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
  esac
  for ((i=1; i<COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "\${path:+$path }$w" in
      ${known}) path="\${path:+$path }$w" ;;
    esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  if [[ "$path" == "completion" ]]; then words="${VALUE_COMPLETIONS.shell} $words"; fi
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
  return 0
}
complete -o default -F _drsctl drsctl
`;
}

export function zshCompletion(program: Command): string {
  const nodes = commandTree(program);
  const cases = nodes
    .map((n) => `    "${n.path}") words_list=(${[...n.words, ...n.options].join(" ")}) ;;`)
    .join("\n");
  const known = nodes
    .filter((n) => n.path !== "")
    .map((n) => `"${n.path}"`)
    .join("|");
  return `#compdef drsctl
# zsh completion for drsctl: source <(drsctl completion zsh), or save as _drsctl in your $fpath
_drsctl() {
  local path_="" w prev
  local -a words_list
  prev="\${words[CURRENT-1]}"
  case "$prev" in
    -o|--output) compadd ${VALUE_COMPLETIONS.output}; return ;;
    --format) compadd ${VALUE_COMPLETIONS.format}; return ;;
    -f|--file|--output-file) _files; return ;;
  esac
  for w in "\${(@)words[2,CURRENT-1]}"; do
    [[ "$w" == -* ]] && continue
    case "\${path_:+$path_ }$w" in
      ${known}) path_="\${path_:+$path_ }$w" ;;
    esac
  done
  case "$path_" in
${cases}
    *) words_list=() ;;
  esac
  if [[ "$path_" == "completion" ]]; then words_list=(${VALUE_COMPLETIONS.shell} $words_list); fi
  compadd -- $words_list
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _drsctl "$@"
else
  compdef _drsctl drsctl
fi
`;
}

export function registerCompletionCommand(program: Command, ctx: CommandContext): void {
  examples(
    program
      .command("completion")
      .argument("<shell>", "bash | zsh")
      .description("Print the shell completion script")
      .action((shell: string) => {
        if (shell === "bash") ctx.io.stdout.write(bashCompletion(program));
        else if (shell === "zsh") ctx.io.stdout.write(zshCompletion(program));
        else throw new UsageError(`completion supports bash and zsh (got "${shell}")`);
      }),
    [
      "source <(drsctl completion bash)            # in ~/.bashrc",
      "source <(drsctl completion zsh)             # in ~/.zshrc (after compinit)",
      "drsctl completion zsh > ~/.zfunc/_drsctl      # with fpath+=(~/.zfunc) before compinit",
    ],
  );
}
