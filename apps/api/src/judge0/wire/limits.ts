/**
 * Judge0's limits (config.rb): each one's default and maximum, in Judge0's units (s, KB),
 * and GET /config_info, which says them.
 */

/** [default, maximum] of each limit, in the order the model validates them */
export const JUDGE0_LIMITS = {
  cpu_time_limit: [5.0, 15.0],
  cpu_extra_time: [1.0, 5.0],
  wall_time_limit: [10.0, 20.0],
  memory_limit: [128000, 512000],
  stack_limit: [64000, 128000],
  max_processes_and_or_threads: [60, 120],
  max_file_size: [1024, 4096],
  number_of_runs: [1, 20],
} as const;
export type LimitName = keyof typeof JUDGE0_LIMITS;

/** additional_files, extracted, in KB */
export const MAX_EXTRACT_KB = 10240;
/** submissions in one batch */
export const MAX_BATCH = 20;

export function configInfo(queueMax: number): Record<string, unknown> {
  const L = JUDGE0_LIMITS;
  return {
    maintenance_mode: false,
    enable_wait_result: true,
    enable_compiler_options: true,
    allowed_languages_for_compile_options: [],
    enable_command_line_arguments: true,
    enable_submission_delete: false,
    enable_callbacks: true,
    callbacks_max_tries: 3,
    callbacks_timeout: 5.0,
    enable_additional_files: true,
    max_queue_size: queueMax,
    cpu_time_limit: L.cpu_time_limit[0],
    max_cpu_time_limit: L.cpu_time_limit[1],
    cpu_extra_time: L.cpu_extra_time[0],
    max_cpu_extra_time: L.cpu_extra_time[1],
    wall_time_limit: L.wall_time_limit[0],
    max_wall_time_limit: L.wall_time_limit[1],
    memory_limit: L.memory_limit[0],
    max_memory_limit: L.memory_limit[1],
    stack_limit: L.stack_limit[0],
    max_stack_limit: L.stack_limit[1],
    max_processes_and_or_threads: L.max_processes_and_or_threads[0],
    max_max_processes_and_or_threads: L.max_processes_and_or_threads[1],
    enable_per_process_and_thread_time_limit: false,
    allow_enable_per_process_and_thread_time_limit: true,
    enable_per_process_and_thread_memory_limit: false,
    allow_enable_per_process_and_thread_memory_limit: true,
    max_file_size: L.max_file_size[0],
    max_max_file_size: L.max_file_size[1],
    number_of_runs: L.number_of_runs[0],
    max_number_of_runs: L.number_of_runs[1],
    redirect_stderr_to_stdout: false,
    max_extract_size: MAX_EXTRACT_KB,
    enable_batched_submissions: true,
    max_submission_batch_size: MAX_BATCH,
    submission_cache_duration: 1.0,
    use_docs_as_homepage: false,
    allow_enable_network: true,
    enable_network: false,
  };
}
