import { describe, expect, it } from 'vitest';
import { aider } from '../../scrapers/aider.ts';
import { IdentityConfigError, loadIdentity, normalizeModelKey, organizationKey } from '../../src/identity/identity.ts';

const identity = loadIdentity();
const entry = (model: string, organization: string | null = null, name = model) => ({ model, name, organization });

describe('normalizeModelKey', () => {
  it.each([
    // case, provider prefix, separators
    ['GPT-4o-2024-05-13', 'gpt-4o-2024-05-13'],
    ['openai/gpt-4o-2024-05-13', 'gpt-4o-2024-05-13'],
    ['openrouter/deepseek/deepseek-r1', 'deepseek-r1'],
    ['Llama_2_13B_Chat', 'llama-2-13b-chat'],
    ['Amazon Nova Pro 1.0', 'amazon-nova-pro-1.0'],
    ['  Qwen3 235B A22B  ', 'qwen3-235b-a22b'],
    // parentheses become separators, their text stays
    ['Claude Opus 4 (20250514)', 'claude-opus-4-2025-05-14'],
    ['Claude Opus 4 (thinking-16k)', 'claude-opus-4-thinking-16k'],
    ['GPT-5 (high)', 'gpt-5-high'],
    ['Qwen3 Max (Preview)', 'qwen3-max-preview'],
    ['Gemini 2.0 Flash-Lite (Preview)', 'gemini-2.0-flash-lite-preview'],
    // dates: compact and dashed are one form; month-day and year-month stay as written
    ['chatgpt-4o-latest-20250326', 'chatgpt-4o-latest-2025-03-26'],
    ['ChatGPT-4o-latest (2025-03-26)', 'chatgpt-4o-latest-2025-03-26'],
    ['claude-3-5-sonnet-20241022', 'claude-3.5-sonnet-2024-10-22'],
    ['gemini-2.5-flash-preview-09-2025', 'gemini-2.5-flash-preview-09-2025'],
    ['step-1o-turbo-202506', 'step-1o-turbo-202506'],
    ['Gemini 2.5 Pro Preview 05-06', 'gemini-2.5-pro-preview-05-06'],
    // versions with a dash between single digits take a dot; sizes and snapshots do not
    ['claude-opus-4-1-20250805', 'claude-opus-4.1-2025-08-05'],
    ['qwen2-5-coder-32b-instruct', 'qwen2.5-coder-32b-instruct'],
    ['grok-4-1-fast-reasoning', 'grok-4.1-fast-reasoning'],
    ['gpt-4-0613', 'gpt-4-0613'],
    ['llama-3-8b-instruct', 'llama-3-8b-instruct'],
    ['gemma-3-4b-it', 'gemma-3-4b-it'],
    ['nova-2-lite', 'nova-2-lite'],
    // + as a suffix is "plus"; + between names joins a pipeline
    ['Command R+ (08-2024)', 'command-r-plus-08-2024'],
    ['Command R+', 'command-r-plus'],
    ['Whisper-v3-large+GPT-4o', 'whisper-v3-large+gpt-4o'],
    ['o3 (high) + gpt-4.1', 'o3-high+gpt-4.1'],
    // kept: OpenRouter variants, LMArena's second-model marker, CJK, full-width forms
    ['openai/gpt-oss-120b:free', 'gpt-oss-120b:free'],
    ['Imagen 3 [2]', 'imagen-3-[2]'],
    ['文心一言4.0(API)', '文心一言4.0-api'],
    ['GPT4（网页）', 'gpt4-网页'],
  ])('%s → %s', (key, expected) => {
    expect(normalizeModelKey(key)).toBe(expected);
    expect(normalizeModelKey(expected)).toBe(expected);
  });

  it('never merges models that differ in date, size, stage or variant', () => {
    const distinct = [
      'gpt-4o-2024-05-13',
      'gpt-4o-2024-08-06',
      'gemini-2.5-flash',
      'gemini-2.5-flash-preview-09-2025',
      'qwen3-30b-a3b',
      'qwen3-32b',
      'llama-3.1-405b-instruct-bf16',
      'llama-3.1-405b-instruct-fp8',
      'claude-opus-4-20250514',
      'claude-opus-4-20250514-thinking-16k',
      'gpt-oss-120b',
      'gpt-oss-120b:free',
      'Imagen 3',
      'Imagen 3 [2]',
      'Imagen 3.2',
      'command-r',
      'command-r-plus',
    ];
    expect(new Set(distinct.map(normalizeModelKey)).size).toBe(distinct.length);
  });
});

describe('organizationKey', () => {
  it.each([
    ['Z.ai', 'zai'],
    ['z-ai', 'zai'],
    ['Z AI', 'zai'],
    ['01 AI', '01ai'],
    ['清华&智谱AI', '清华智谱ai'],
  ])('%s → %s', (text, key) => expect(organizationKey(text)).toBe(key));
});

describe('resolve: canonical model id', () => {
  it.each([
    // alias table, any source, compared after normalization
    ['lmarena', 'Claude 3 Opus', 'claude-3-opus-2024-02-29'],
    ['lmarena', 'GPT-4.5-Preview', 'gpt-4.5-preview-2025-02-27'],
    ['lmarena', 'Meta-Llama-3.1-405B-Instruct-fp8', 'llama-3.1-405b-instruct-fp8'],
    ['lmarena', 'Qwen-Max-2025-01-25', 'qwen2.5-max'],
    ['aider', 'qwen-max-2025-01-25 [diff]', 'qwen2.5-max'],
    ['openrouter', 'mistralai/mistral-medium-3', 'mistral-medium-2505'],
    ['artificialanalysis', 'Mistral Medium 3.1', 'mistral-medium-2508'],
    ['openrouter', 'qwen/qwen-2.5-72b-instruct', 'qwen2.5-72b-instruct'],
    // scoped renames match that source's key verbatim, and only there
    ['voicebench', 'Whisper-v3+GPT-4o', 'whisper-v3-large+gpt-4o'],
    ['aider-polyglot', 'deepseek/deepseek-reasoner [diff]', 'deepseek-v3.2-exp-thinking'],
    ['aider', 'deepseek-chat [diff]', 'deepseek-chat-v2.5'],
    ['aider', 'deepseek/deepseek-chat [diff]', 'deepseek-v3.2-exp'],
    ['openrouter', 'deepseek/deepseek-chat', 'deepseek-chat'],
    ['lmarena', 'command-r-plus', 'command-r-plus-04-2024'],
    ['openrouter', 'cohere/command-r-plus', 'command-r-plus'],
    ['lmarena-text', 'Gemini-2.0-Flash-Lite', 'gemini-2.0-flash-lite-preview-02-05'],
    ['openrouter-prices', 'anthropic/claude-sonnet-4.5', 'claude-sonnet-4.5-2025-09-29'],
    ['lmarena', 'anthropic/claude-sonnet-4.5', 'claude-sonnet-4.5'],
    ['superclue', '星火认知大模型', '讯飞星火'],
    // no alias: the normalized key
    ['lmarena', 'gpt-4o-2024-05-13', 'gpt-4o-2024-05-13'],
    ['lmarena', 'Claude Opus 4 (20250514)', 'claude-opus-4-2025-05-14'],
    // Aider's edit format is a harness setting
    ['aider', 'Qwen2.5-Coder-32B-Instruct [whole]', 'qwen2.5-coder-32b-instruct'],
    ['aider', 'openai/Qwen2.5-Coder-32B-Instruct [whole]', 'qwen2.5-coder-32b-instruct'],
    // an owner that is no known organization stays: two fine-tunes with one name stay two
    ['openllm', 'dnhkng/RYS-XLarge', 'dnhkng/rys-xlarge'],
    ['openllm', 'Qwen/Qwen2-72B-Instruct', 'qwen2-72b-instruct'],
  ])('%s %s → %s', (source, model, id) => {
    expect(identity.resolve(source, entry(model)).id).toBe(id);
  });

  it("reads a key through its source's identityKey hook: Aider's drops the edit format, a source without one keeps brackets", () => {
    expect(aider.identityKey?.({ model: ' gpt-4o [diff] ', name: 'gpt-4o' })).toBe('gpt-4o');
    expect(identity.resolve('aider-polyglot', entry('gpt-4o-2024-08-06 [diff]')).id).toBe('gpt-4o-2024-08-06');
    expect(identity.resolve('lmarena-image', entry('Imagen 3 [2]')).id).toBe('imagen-3-[2]');
  });

  it('reads the display name when the key is an opaque UUID (Artificial Analysis)', () => {
    const resolved = identity.resolve('artificialanalysis', { model: '36f73aaf-d38a-4b56-a2b3-d04d17186910', name: 'GPT-5 (high)', organization: 'OpenAI' });
    expect(resolved).toEqual({ id: 'gpt-5-high', organization: 'openai', country: 'US' });
  });

  it('keeps two Hugging Face fine-tunes with one repo name apart', () => {
    const a = identity.resolve('openllm', entry('someone/beast-soul-new'));
    const b = identity.resolve('openllm', entry('other/beast-soul-new'));
    expect(a.id).not.toBe(b.id);
  });
});

describe('resolve: organization and country', () => {
  it.each([
    // the source's own organization text, through the aliases
    ['lmarena', 'Yi-Lightning', '01 AI', '01-ai', 'CN'],
    ['lmarena', 'GLM-4-Plus', 'Zhipu AI', 'zhipu-ai', 'CN'],
    ['lmarena', 'ChatGLM3-6B', 'Tsinghua', 'zhipu-ai', 'CN'],
    ['lmarena', 'Qwen2-VL-72B', 'Aliaba', 'alibaba', 'CN'],
    ['artificialanalysis', 'GLM-5.2 (max)', 'Z AI', 'zhipu-ai', 'CN'],
    ['artificialanalysis', 'Grok 4.5 (high)', 'SpaceXAI', 'xai', 'US'],
    ['artificialanalysis', 'Kimi K3', 'Kimi', 'moonshot-ai', 'CN'],
    ['artificialanalysis', 'Ling 2.0', 'InclusionAI', 'ant-group', 'CN'],
    ['artificialanalysis', 'LongCat Flash', 'LongCat', 'meituan', 'CN'],
    ['artificialanalysis', 'Falcon H1', 'TII UAE', 'tii', 'AE'],
    ['artificialanalysis', 'EXAONE 4.0', 'LG AI Research', 'lg-ai-research', 'KR'],
    ['openrouter', 'moonshotai/kimi-k2', 'moonshotai', 'moonshot-ai', 'CN'],
    ['openrouter', 'z-ai/glm-4.6', 'z-ai', 'zhipu-ai', 'CN'],
    ['openrouter', 'x-ai/grok-4', 'x-ai', 'xai', 'US'],
    ['openrouter', 'meta-llama/llama-3.3-70b-instruct', 'meta-llama', 'meta', 'US'],
    ['openrouter', 'mistralai/mistral-large-2411', 'mistralai', 'mistral-ai', 'FR'],
    ['openrouter', 'ai21/jamba-large-1.7', 'ai21', 'ai21-labs', 'IL'],
    ['openrouter', 'cohere/command-a', 'cohere', 'cohere', 'CA'],
    ['openrouter', 'bytedance-seed/seed-1.6', 'bytedance-seed', 'bytedance', 'CN'],
    ['openrouter', 'tngtech/deepseek-r1t-chimera', 'tngtech', 'tng', 'DE'],
    ['superclue', '文心一言4.0(API)', '百度', 'baidu', 'CN'],
    ['superclue', '通义千问2.0', '阿里巴巴', 'alibaba', 'CN'],
    ['superclue', '智谱清言', '清华&智谱', 'zhipu-ai', 'CN'],
    ['superclue', 'Moonshot(KimiChat)', '月之暗面', 'moonshot-ai', 'CN'],
    ['superclue', '讯飞星火V3.0', '科大讯飞', 'iflytek', 'CN'],
    ['superclue', 'Claude2', 'Authropic', 'anthropic', 'US'],
    ['helm', 'mistralai/mixtral-8x22b-instruct-v0.1', 'Mistral AI', 'mistral-ai', 'FR'],
    ['helm', 'qwen/qwen2-72b-instruct', 'Qwen', 'alibaba', 'CN'],
    ['superclue', 'Chinese-Alpaca-2-13B', 'yiming cui', 'hfl', 'CN'],
  ])('%s %s (%s) → %s %s', (source, model, organization, org, country) => {
    expect(identity.resolve(source, entry(model, organization))).toMatchObject({ organization: org, country });
  });

  it.each([
    // inferred from the key when the source gives no organization (arena-catalog, Aider, VoiceBench)
    ['gpt-5.1-high', 'openai'],
    ['chatgpt-4o-latest-20250326', 'openai'],
    ['o1-preview', 'openai'],
    ['o3-2025-04-16', 'openai'],
    ['o4-mini (high)', 'openai'],
    ['claude-opus-4-5-20251101', 'anthropic'],
    ['gemini-3-pro', 'google'],
    ['gemma-3-27b-it', 'google'],
    ['qwen3-max-preview', 'alibaba'],
    ['qwq-32b', 'alibaba'],
    ['deepseek-v3.2-exp-thinking', 'deepseek'],
    ['glm-4.6', 'zhipu-ai'],
    ['chatglm3-6b', 'zhipu-ai'],
    ['kimi-k2-thinking-turbo', 'moonshot-ai'],
    ['doubao-seed-1.6', 'bytedance'],
    ['seed-oss-36b', 'bytedance'],
    ['hunyuan-t1-20250711', 'tencent'],
    ['ernie-5.0-preview-1103', 'baidu'],
    ['文心一言', 'baidu'],
    ['llama-3.1-8b-instruct', 'meta'],
    ['mistral-large-3', 'mistral-ai'],
    ['mixtral-8x7b-instruct-v0.1', 'mistral-ai'],
    ['codestral-2501', 'mistral-ai'],
    ['magistral-medium-2506', 'mistral-ai'],
    ['grok-4.1-thinking', 'xai'],
    ['yi-lightning', '01-ai'],
    ['minimax-m2', 'minimax'],
    ['abab6.5-chat', 'minimax'],
    ['step-3', 'stepfun'],
    ['amazon-nova-experimental-chat-10-20', 'amazon'],
    ['nova-2-lite', 'amazon'],
    ['phi-4', 'microsoft'],
    ['mai-1-preview', 'microsoft'],
    ['nemotron-4-340b-instruct', 'nvidia'],
    ['command-a-03-2025', 'cohere'],
    ['jamba-1.5-large', 'ai21-labs'],
    ['longcat-flash-chat', 'meituan'],
    ['ling-flash-2.0', 'ant-group'],
    ['mimo-v2-flash', 'xiaomi'],
    ['kat-coder-pro', 'kuaishou'],
    ['granite-3.1-8b-instruct', 'ibm'],
    ['olmo-3-32b-think', 'allen-ai'],
    ['falcon-180b-chat', 'tii'],
    // fine-tunes: the marker beats the base family
    ['llama-3.1-nemotron-70b-instruct', 'nvidia'],
    ['llama2-70b-steerlm-chat', 'nvidia'],
    ['llama-3.1-tulu-3-70b', 'allen-ai'],
    ['nous-hermes-2-mixtral-8x7b-dpo', 'nous-research'],
    ['gemma-2-9b-it-simpo', 'princeton'],
    // the longest prefix wins; a Latin prefix must end a word
    ['gpt4all-13b-snoozy', 'nomic-ai'],
    ['phind-codellama-34b', null],
    ['stepwise-7b', null],
    // a pipeline of two makers has none
    ['Whisper-v3-large+GPT-4o', 'openai'],
    ['Parakeet-TDT-0.6b-V2+Qwen3-8B', null],
    ['totally-unknown-model', null],
  ])('%s → %s', (model, org) => {
    expect(identity.resolve('lmarena', entry(model)).organization).toBe(org);
  });

  it('uses the alias table organization for keys that name no maker', () => {
    expect(identity.resolve('lmarena', entry('early-grok-3'))).toMatchObject({ organization: 'xai', country: 'US' });
    expect(identity.resolve('lmarena', entry('chocolate (Early Grok-3)', 'xAI')).id).toBe('early-grok-3');
  });

  it("takes the owner prefix of a Hugging Face id as the organization", () => {
    expect(identity.resolve('openllm', entry('Qwen/Qwen2-72B-Instruct'))).toMatchObject({ organization: 'alibaba', country: 'CN' });
    expect(identity.resolve('openllm', entry('meta-llama/Meta-Llama-3-8B'))).toMatchObject({ organization: 'meta', country: 'US' });
    // an unknown owner made its fine-tune; the base family does not say who
    expect(identity.resolve('openllm', entry('someone/llama-3-8b-merge'))).toEqual({ id: 'someone/llama-3-8b-merge', organization: null, country: null });
  });

  it('falls back to inference when the organization text is unknown', () => {
    expect(identity.resolve('swebench', entry('claude-3-5-sonnet', 'Some Agent Startup'))).toMatchObject({ organization: 'anthropic' });
    expect(identity.resolve('swebench', entry('agent-v1', 'Some Agent Startup'))).toEqual({ id: 'agent-v1', organization: null, country: null });
  });

  it('knows every organization id the project names', () => {
    const ids = ['openai', 'alibaba', 'deepseek', 'moonshot-ai', 'zhipu-ai', 'bytedance', 'tencent', 'baidu', 'anthropic', 'google', 'meta', 'mistral-ai', 'xai', '01-ai', 'minimax', 'stepfun', 'amazon', 'microsoft', 'nvidia', 'cohere', 'ai21-labs', 'reka', 'iflytek', 'sensetime', 'baichuan', 'kuaishou', 'xiaomi', 'meituan', 'ant-group', 'ibm', 'allen-ai', 'perplexity', 'inflection', 'liquid-ai', 'tii'];
    for (const id of ids) expect(identity.organization(id), id).not.toBeNull();
    expect(identity.organization('mistral-ai')).toMatchObject({ name: 'Mistral AI', country: 'FR' });
    expect(identity.organizationOf('Zhipu AI')?.id).toBe('zhipu-ai');
    for (const org of identity.organizations) expect(org.country === null || /^[A-Z]{2}$/.test(org.country), org.id).toBe(true);
  });
});

describe('unmapped', () => {
  it('lists organization texts and model keys without a country, most entries first', () => {
    const items = identity.unmapped([
      { source: 'openrouter', ...entry('sao10k/l3-euryale-70b', 'sao10k') },
      { source: 'openrouter', ...entry('sao10k/l3-lunaris-8b', 'sao10k') },
      { source: 'lmarena', ...entry('RWKV-4-Raven-14B', 'RWKV') },
      { source: 'lmarena', ...entry('mystery-model') },
      { source: 'lmarena', ...entry('gpt-4o-2024-05-13', 'OpenAI') },
      { source: 'lmarena', ...entry('gemini-3-pro') },
    ]);
    expect(items).toEqual([
      { value: 'sao10k', kind: 'organization', reason: 'unknown-organization', organization: null, sources: ['openrouter'], entries: 2 },
      { value: 'mystery-model', kind: 'model', reason: 'unknown-organization', organization: null, sources: ['lmarena'], entries: 1 },
      { value: 'RWKV', kind: 'organization', reason: 'no-country', organization: 'rwkv', sources: ['lmarena'], entries: 1 },
    ]);
  });
});

describe('loadIdentity with user tables', () => {
  it('adds organizations, overrides fields, moves a spelling, adds prefixes', () => {
    const extended = loadIdentity({
      extraOrganizationsYaml: `
- id: sao10k
  name: Sao10K
  country: null
  aliases: [sao10k]
- id: rwkv
  country: CN
- id: kyutai-lab
  name: Kyutai (renamed)
  country: FR
  aliases: [Kyutai]
  models:
    prefixes: [moshi, hibiki]
`,
    });
    expect(extended.resolve('openrouter', entry('sao10k/l3-euryale-70b', 'sao10k'))).toEqual({ id: 'l3-euryale-70b', organization: 'sao10k', country: null });
    expect(extended.resolve('lmarena', entry('RWKV-4-Raven-14B', 'RWKV'))).toMatchObject({ organization: 'rwkv', country: 'CN' });
    expect(extended.resolve('voicebench', entry('Moshi'))).toMatchObject({ organization: 'kyutai-lab', country: 'FR' });
    expect(extended.resolve('voicebench', entry('Hibiki'))).toMatchObject({ organization: 'kyutai-lab' });
    expect(extended.organizationOf('Kyutai')?.id).toBe('kyutai-lab');
    expect(extended.organization('kyutai')?.prefixes).not.toContain('moshi');
    expect(extended.organization('rwkv')?.name).toBe('RWKV');
    // the shipped identity is untouched
    expect(identity.resolve('lmarena', entry('RWKV-4-Raven-14B', 'RWKV')).country).toBeNull();
  });

  it('adds model aliases and overrides an alias of the shipped table', () => {
    const extended = loadIdentity({
      extraAliasesYaml: `
- id: gpt-4o-2024-05-13
  aliases: [my-gpt4o]
- id: claude-3-opus-latest
  organization: anthropic
  aliases: [Claude 3 Opus]
- id: internal-model
  organization: openai
  aliases: [{ source: mysource, key: "Internal Model v1" }]
`,
    });
    expect(extended.resolve('lmarena', entry('My GPT4o')).id).toBe('gpt-4o-2024-05-13');
    expect(extended.resolve('lmarena', entry('Claude 3 Opus')).id).toBe('claude-3-opus-latest');
    expect(extended.resolve('mysource', entry('Internal Model v1'))).toEqual({ id: 'internal-model', organization: 'openai', country: 'US' });
    expect(extended.resolve('lmarena', entry('gpt-4o-2024-05-13')).id).toBe('gpt-4o-2024-05-13');
  });

  it('treats an empty user file as no change', () => {
    expect(loadIdentity({ extraAliasesYaml: '', extraOrganizationsYaml: '# nothing yet\n' }).organizations).toHaveLength(identity.organizations.length);
  });

  it.each([
    ['organizations', 'not: [valid', /orgs\.yaml: not valid YAML/],
    ['organizations', 'id: openai\nname: x', /orgs\.yaml: expected a list of organization entries/],
    ['organizations', '- id: acme\n  name: Acme\n  country: USA', /orgs\.yaml: organization entry 1 \(id "acme"\): country: an ISO 3166-1 alpha-2 code/],
    ['organizations', '- id: Acme Corp\n  name: Acme\n  country: US', /organization entry 1 \(id "Acme Corp"\): id: a kebab-case id/],
    ['organizations', '- id: acme\n  name: Acme', /organization entry 1 \(id "acme"\): a new organization needs name and country/],
    ['organizations', '- id: acme\n  name: Acme\n  country: US\n  alias: [ACME]', /organization entry 1 \(id "acme"\): .*alias/],
    ['organizations', '- id: a\n  name: A\n  country: US\n  aliases: [Acme]\n- id: b\n  name: B\n  country: US\n  aliases: [ACME]', /alias "ACME" is claimed by both organization "a" and organization "b"/],
    ['aliases', '- id: GPT-4o\n  aliases: [x]', /aliases\.yaml: model entry 1 \(id "GPT-4o"\): the id must be in normal form; write "gpt-4o"/],
    ['aliases', '- id: x-model\n  organization: acme', /model entry 1 \(id "x-model"\): organization "acme" is not in the organization table/],
    ['aliases', '- id: x-model\n  aliases: [shared]\n- id: y-model\n  aliases: [Shared]', /model entry 2 \(id "y-model"\): alias "Shared" is also an alias of "x-model"/],
    ['aliases', '- id: x-model\n  aliases: [{ source: aider }]', /model entry 1 \(id "x-model"\): aliases\.0/],
  ])('a malformed user %s file gives a clear error (%s)', (which, yaml, message) => {
    const load = () =>
      which === 'organizations'
        ? loadIdentity({ extraOrganizationsYaml: yaml, extraOrganizationsFile: 'orgs.yaml' })
        : loadIdentity({ extraAliasesYaml: yaml, extraAliasesFile: 'my-aliases.yaml' });
    expect(load).toThrow(IdentityConfigError);
    expect(load).toThrow(message);
  });
});
