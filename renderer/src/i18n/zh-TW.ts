/**
 * Traditional Chinese (Taiwan): the product's first language and the fallback for every key. The seed's own words
 * are kept verbatim (對話, 處理中事件, 批量管理事件, 導購連結報表, 總訊息數目, 導購連結數量).
 */
export const zhTW = {
  app: {
    name: 'OMO Broadcast',
    tagline: '群發訊息',
    loading: '正在載入…',
    loadFailedTitle: '無法啟動 OMO Broadcast',
    loadFailedBody: '讀取應用程式資訊時發生問題。',
    retry: '重試',
  },
  bridge: {
    missingTitle: '找不到應用程式橋接',
    missingBody:
      '這個頁面需要在 OMO Broadcast 桌面應用程式或預覽主機中開啟。目前找不到 window.omo，因此無法讀取或儲存任何資料。',
  },
  /** Language names, as this language calls them. */
  languages: {
    'zh-TW': '繁體中文',
    en: 'English',
  },
  nav: {
    label: '主要導覽',
    events: '對話',
    drafts: '草稿',
    history: '發送紀錄',
    report: '報表',
    settings: '設定',
  },
  events: {
    breadcrumb: '對話',
    title: '處理中事件',
    subtitle: '群發訊息僅能向對話事件狀態為「處理中事件」的顧客發送。',
    viewsLabel: '對話檢視',
    batchManage: '批量管理事件',
    batchManageUnavailable: '連線到工作區後即可批量管理事件',
    emptyTitle: '你的處理中事件會顯示在這裡',
    emptyBody: '尚未連線到工作區：連線後，這裡會列出你正在處理的對話事件。',
  },
  drafts: {
    title: '草稿',
    subtitle: '草稿儲存在這台電腦上，離線時也能撰寫與儲存。',
    new: '新增草稿',
    listLabel: '草稿清單',
    loading: '正在載入草稿…',
    untitled: '（未命名草稿）',
    newDraft: '新草稿',
    charCount_one: '{{count}} 字',
    charCount_other: '{{count}} 字',
    justNow: '剛剛',
    emptyTitle: '還沒有草稿',
    emptyBody: '點擊「新增草稿」開始撰寫要群發給顧客的訊息。',
    noneOpenTitle: '選擇或新增一則草稿',
    noneOpenBody: '從清單中選擇草稿來編輯，或點擊「新增草稿」。',
    editorLabel: '訊息內容',
    placeholder: '輸入要群發給顧客的文字訊息…',
    counterLabel: '已使用 {{count}} / {{max}} 個字元（依 LINE 的計算方式，表情符號可能算 2 個字元）',
    save: '儲存',
    saving: '儲存中…',
    saved: '已儲存',
    savedAt: '已儲存・{{time}}',
    unsaved: '尚未儲存',
    autosaveHint: '輸入時會自動儲存',
    delete: '刪除',
    deleteTitle: '刪除這則草稿？',
    deleteBody: '刪除後無法復原。',
    deleteConfirm: '刪除草稿',
    cancel: '取消',
  },
  history: {
    title: '發送紀錄',
    subtitle: '每一次群發與每位顧客的發送結果。',
    emptyTitle: '尚無發送紀錄',
    emptyBody: '你還沒有發送過群發訊息。發送後，這裡會列出每一次群發的內容、時間，以及每位顧客的發送結果。',
  },
  report: {
    title: '報表',
    subtitle: '導購連結報表',
    totalMessages: '總訊息數目',
    totalMessagesHint: '群發訊息的數量',
    referralLinks: '導購連結數量',
    referralLinksHint: '訊息中的官網連結與非官網連結',
    noData: '尚無資料',
    emptyTitle: '還沒有可統計的群發',
    emptyBody:
      '群發訊息會計入「總訊息數目」；訊息中的官網連結與非官網連結都會計入「導購連結數量」。第一次群發之後，這裡就會顯示統計。',
  },
  settings: {
    title: '設定',
    subtitle: '語言與應用程式資訊。',
    languageSection: '語言',
    languageLabel: '介面語言',
    languageHint: '變更後立即套用，並記住你的選擇。',
    aboutSection: '關於這個應用程式',
    version: '版本',
    mode: '模式',
    dataDir: '資料資料夾',
    transport: '執行方式',
    platform: '平台',
    transports: {
      electron: '桌面應用程式',
      preview: '瀏覽器預覽',
    },
    workspaceSection: '工作區',
    workspaceNote:
      '登入並連線到你的工作區的功能會在之後的版本推出。在那之前，應用程式使用內建的示範工作區，不會傳送任何訊息給真實顧客。',
  },
  status: {
    label: '狀態列',
    modes: {
      demo: '示範模式',
      connected: '已連線',
      offline: '離線',
    },
    networkOnline: '網路已連線',
    networkOffline: '網路已中斷',
    version: '版本 {{version}}',
    switchLanguage: '切換為英文介面',
  },
  errors: {
    title: '發生錯誤',
    dismiss: '關閉',
    invalid_input: '資料格式不正確，未能完成這個動作。',
    unknown_method: '應用程式版本不一致，無法執行這個動作。請重新啟動應用程式。',
    forbidden_sender: '這個視窗沒有權限執行這個動作。',
    not_found: '找不到這筆資料，它可能已被刪除。',
    storage_unavailable: '無法使用本機資料庫。它可能是由較新版本的應用程式建立的。',
    disconnected: '與應用程式核心的連線已中斷，這個動作沒有執行。',
    internal: '發生未預期的錯誤。詳細資訊已記錄在日誌中。',
  },
};

/** The shape every language must fill: the same keys, any strings. */
export type Messages = DeepStrings<typeof zhTW>;

type DeepStrings<T> = { [K in keyof T]: T[K] extends string ? string : DeepStrings<T[K]> };
