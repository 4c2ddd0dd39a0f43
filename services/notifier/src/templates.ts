import type { CloseReason } from '@caseflow/domain';
import type { SupportedLanguage } from './locale.js';

/**
 * Message templates as data: one subject and plain-text body per message kind and language.
 *
 * Placeholders are `{name}`. A body line whose placeholder has no value is left out (a close
 * without a comment has no "Comment:" line); a subject's missing placeholder becomes ''. Values
 * are inserted as they are, in one pass, so text from a ticket can never expand a placeholder.
 * Every body gets its language's footer (request number and signature).
 *
 * Wording follows the seed documents: "service request" is 服务请求 (zh-CN), 服務要求 (zh-TW),
 * żądanie usługi (pl) and Serviceanfrage (de); "support engineer" is 支持工程师 / 支援工程師.
 */
export interface Template {
  subject: string;
  text: string;
}

/** What the customer hears about, by event type (phone contacts get the same text as a callback task). */
export const CUSTOMER_EVENTS = [
  'TicketOpened',
  'TicketTriaged',
  'InfoRequested',
  'TicketDowngraded',
  'TicketResolved',
  'TicketClosed',
  'TicketReopened',
  'NoteAdded',
  'SeverityChanged',
] as const;
export type CustomerEvent = (typeof CUSTOMER_EVENTS)[number];

export type TemplateKey =
  | `customer.${CustomerEvent}`
  | 'owner.assigned'
  | 'owner.customerReplied'
  | 'owner.noteAdded'
  | 'owner.reopened'
  | 'owner.escalated'
  | 'owner.breached'
  | 'supervisor.breached';

type Localized<T> = Record<SupportedLanguage, T>;

export const FOOTERS: Localized<string> = {
  en: 'Request number: {ticketId}\n\n— Your support team',
  de: 'Nummer der Serviceanfrage: {ticketId}\n\n— Ihr Support-Team',
  pl: 'Numer żądania usługi: {ticketId}\n\n— Zespół pomocy technicznej',
  'zh-CN': '服务请求编号：{ticketId}\n\n—— 支持团队',
  'zh-TW': '服務要求編號：{ticketId}\n\n—— 支援團隊',
};

/** Close reasons as the customer reads them. */
export const CLOSE_REASONS: Localized<Record<CloseReason, string>> = {
  en: {
    cancelled: 'cancelled',
    duplicate: 'duplicate of another request',
    'out-of-scope': 'outside the scope of support',
    'no-response': 'no response received',
    confirmed: 'you confirmed the solution',
    'agent-closed': 'closed by support',
    'auto-close': 'closed automatically after the waiting period',
  },
  de: {
    cancelled: 'storniert',
    duplicate: 'Duplikat einer anderen Anfrage',
    'out-of-scope': 'außerhalb des Supportumfangs',
    'no-response': 'keine Rückmeldung erhalten',
    confirmed: 'Sie haben die Lösung bestätigt',
    'agent-closed': 'vom Support geschlossen',
    'auto-close': 'nach Ablauf der Wartezeit automatisch geschlossen',
  },
  pl: {
    cancelled: 'anulowane',
    duplicate: 'duplikat innego zgłoszenia',
    'out-of-scope': 'poza zakresem pomocy technicznej',
    'no-response': 'brak odpowiedzi',
    confirmed: 'potwierdzono rozwiązanie',
    'agent-closed': 'zamknięte przez pomoc techniczną',
    'auto-close': 'zamknięte automatycznie po upływie okresu oczekiwania',
  },
  'zh-CN': {
    cancelled: '已取消',
    duplicate: '与其他请求重复',
    'out-of-scope': '超出支持范围',
    'no-response': '未收到回复',
    confirmed: '你已确认问题解决',
    'agent-closed': '由支持人员关闭',
    'auto-close': '等待期结束后自动关闭',
  },
  'zh-TW': {
    cancelled: '已取消',
    duplicate: '與其他要求重複',
    'out-of-scope': '超出支援範圍',
    'no-response': '未收到回覆',
    confirmed: '您已確認問題解決',
    'agent-closed': '由支援人員關閉',
    'auto-close': '等待期結束後自動關閉',
  },
};

/** A note's visibility as the owner reads it. */
export const NOTE_VISIBILITY: Localized<Record<'public' | 'internal', string>> = {
  en: { public: 'visible to the customer', internal: 'internal' },
  de: { public: 'für den Kunden sichtbar', internal: 'intern' },
  pl: { public: 'widoczna dla klienta', internal: 'wewnętrzna' },
  'zh-CN': { public: '客户可见', internal: '内部' },
  'zh-TW': { public: '客戶可見', internal: '內部' },
};

export const TEMPLATES: Record<TemplateKey, Localized<Template>> = {
  'customer.TicketOpened': {
    en: {
      subject: '[{ticketId}] We have received your service request: {title}',
      text: 'Hello,\n\nThank you for contacting support. We received your service request "{title}" on {date}.\nSeverity: {severity}\n\nA support engineer will get back to you within the response time of your support plan.',
    },
    de: {
      subject: '[{ticketId}] Wir haben Ihre Serviceanfrage erhalten: {title}',
      text: 'Guten Tag,\n\nvielen Dank, dass Sie sich an den Support gewandt haben. Ihre Serviceanfrage „{title}“ ist am {date} bei uns eingegangen.\nSchweregrad: {severity}\n\nEin Supporttechniker meldet sich innerhalb der Reaktionszeit Ihres Supportplans bei Ihnen.',
    },
    pl: {
      subject: '[{ticketId}] Otrzymaliśmy Twoje żądanie usługi: {title}',
      text: 'Dzień dobry,\n\ndziękujemy za kontakt z pomocą techniczną. Twoje żądanie usługi „{title}” wpłynęło do nas {date}.\nWażność: {severity}\n\nSpecjalista pomocy technicznej skontaktuje się z Tobą w czasie odpowiedzi przewidzianym w Twoim planie pomocy technicznej.',
    },
    'zh-CN': {
      subject: '[{ticketId}] 我们已收到你的服务请求：{title}',
      text: '你好，\n\n感谢你联系支持部门。我们已于 {date} 收到你的服务请求“{title}”。\n严重性：{severity}\n\n支持工程师将在你的支持计划规定的响应时间内与你联系。',
    },
    'zh-TW': {
      subject: '[{ticketId}] 我們已收到您的服務要求：{title}',
      text: '您好：\n\n感謝您與支援人員聯絡。我們已於 {date} 收到您的服務要求「{title}」。\n嚴重性：{severity}\n\n支援工程師會在您的支援方案所規定的回應時間內與您聯絡。',
    },
  },
  'customer.TicketTriaged': {
    en: {
      subject: '[{ticketId}] A support engineer is working on your request',
      text: 'Hello,\n\nA support engineer has reviewed your service request "{title}" and has been working on it since {date}.\nSeverity: {severity}\nMessage from the engineer: {text}',
    },
    de: {
      subject: '[{ticketId}] Ein Supporttechniker bearbeitet Ihre Anfrage',
      text: 'Guten Tag,\n\nein Supporttechniker hat Ihre Serviceanfrage „{title}“ geprüft und bearbeitet sie seit {date}.\nSchweregrad: {severity}\nNachricht des Technikers: {text}',
    },
    pl: {
      subject: '[{ticketId}] Specjalista zajmuje się Twoim zgłoszeniem',
      text: 'Dzień dobry,\n\nspecjalista pomocy technicznej przeanalizował Twoje żądanie usługi „{title}” i zajmuje się nim od {date}.\nWażność: {severity}\nWiadomość od specjalisty: {text}',
    },
    'zh-CN': {
      subject: '[{ticketId}] 支持工程师正在处理你的服务请求',
      text: '你好，\n\n支持工程师已查看你的服务请求“{title}”，并于 {date} 开始处理。\n严重性：{severity}\n工程师留言：{text}',
    },
    'zh-TW': {
      subject: '[{ticketId}] 支援工程師正在處理您的服務要求',
      text: '您好：\n\n支援工程師已檢閱您的服務要求「{title}」，並於 {date} 開始處理。\n嚴重性：{severity}\n工程師留言：{text}',
    },
  },
  'customer.InfoRequested': {
    en: {
      subject: '[{ticketId}] We need more information about your request',
      text: 'Hello,\n\nTo continue working on your service request "{title}", we need more information from you ({date}).\n\n{text}\n\nPlease reply with the details requested. Until we hear from you, the response time of your request is paused.',
    },
    de: {
      subject: '[{ticketId}] Wir benötigen weitere Informationen zu Ihrer Anfrage',
      text: 'Guten Tag,\n\num Ihre Serviceanfrage „{title}“ weiter bearbeiten zu können, benötigen wir weitere Informationen von Ihnen ({date}).\n\n{text}\n\nBitte antworten Sie mit den gewünschten Angaben. Bis zu Ihrer Antwort ist die Reaktionszeit Ihrer Anfrage angehalten.',
    },
    pl: {
      subject: '[{ticketId}] Potrzebujemy więcej informacji o Twoim zgłoszeniu',
      text: 'Dzień dobry,\n\naby kontynuować pracę nad Twoim żądaniem usługi „{title}”, potrzebujemy od Ciebie dodatkowych informacji ({date}).\n\n{text}\n\nOdpowiedz, podając wymagane szczegóły. Do czasu Twojej odpowiedzi czas odpowiedzi dla zgłoszenia jest wstrzymany.',
    },
    'zh-CN': {
      subject: '[{ticketId}] 我们需要有关你的服务请求的更多信息',
      text: '你好，\n\n为了继续处理你的服务请求“{title}”，我们需要你提供更多信息（{date}）。\n\n{text}\n\n请回复所需的详细信息。在收到你的答复之前，该请求的响应计时将暂停。',
    },
    'zh-TW': {
      subject: '[{ticketId}] 我們需要更多關於您服務要求的資訊',
      text: '您好：\n\n為了繼續處理您的服務要求「{title}」，我們需要您提供更多資訊（{date}）。\n\n{text}\n\n請回覆所需的詳細資料。在收到您的回覆之前，此要求的回應計時會暫停。',
    },
  },
  'customer.TicketDowngraded': {
    en: {
      subject: '[{ticketId}] The severity of your request was lowered to {to}',
      text: 'Hello,\n\nOn {date} the severity of your service request "{title}" was lowered from {from} to {to}.\nReason: {reason}\n\nIf the issue is still urgent for you, please reply and let us know.',
    },
    de: {
      subject: '[{ticketId}] Der Schweregrad Ihrer Anfrage wurde auf {to} herabgestuft',
      text: 'Guten Tag,\n\nam {date} wurde der Schweregrad Ihrer Serviceanfrage „{title}“ von {from} auf {to} herabgestuft.\nGrund: {reason}\n\nWenn das Problem für Sie weiterhin dringend ist, antworten Sie bitte auf diese Nachricht.',
    },
    pl: {
      subject: '[{ticketId}] Obniżono ważność Twojego zgłoszenia do {to}',
      text: 'Dzień dobry,\n\ndnia {date} ważność Twojego żądania usługi „{title}” została obniżona z {from} do {to}.\nPowód: {reason}\n\nJeśli problem nadal jest dla Ciebie pilny, odpowiedz na tę wiadomość.',
    },
    'zh-CN': {
      subject: '[{ticketId}] 你的服务请求严重性已降为 {to}',
      text: '你好，\n\n{date}，你的服务请求“{title}”的严重性已从 {from} 降为 {to}。\n原因：{reason}\n\n如果此问题对你来说仍然紧急，请回复告诉我们。',
    },
    'zh-TW': {
      subject: '[{ticketId}] 您的服務要求嚴重性已調降為 {to}',
      text: '您好：\n\n{date}，您的服務要求「{title}」的嚴重性已從 {from} 調降為 {to}。\n原因：{reason}\n\n如果此問題對您而言仍然緊急，請回覆讓我們知道。',
    },
  },
  'customer.TicketResolved': {
    en: {
      subject: '[{ticketId}] Your service request has been resolved',
      text: 'Hello,\n\nYour service request "{title}" was resolved on {date}.\n\nResolution: {summary}\n\nIf the problem is not fixed, you can reopen the request. Otherwise it will be closed automatically after a waiting period.',
    },
    de: {
      subject: '[{ticketId}] Ihre Serviceanfrage wurde gelöst',
      text: 'Guten Tag,\n\nIhre Serviceanfrage „{title}“ wurde am {date} gelöst.\n\nLösung: {summary}\n\nFalls das Problem weiterhin besteht, können Sie die Anfrage erneut öffnen. Andernfalls wird sie nach einer Wartezeit automatisch geschlossen.',
    },
    pl: {
      subject: '[{ticketId}] Twoje żądanie usługi zostało rozwiązane',
      text: 'Dzień dobry,\n\ndnia {date} Twoje żądanie usługi „{title}” zostało rozwiązane.\n\nRozwiązanie: {summary}\n\nJeśli problem nie został usunięty, możesz ponownie otworzyć zgłoszenie. W przeciwnym razie zostanie ono automatycznie zamknięte po okresie oczekiwania.',
    },
    'zh-CN': {
      subject: '[{ticketId}] 你的服务请求已解决',
      text: '你好，\n\n你的服务请求“{title}”已于 {date} 解决。\n\n解决方案：{summary}\n\n如果问题仍未解决，你可以重新打开此请求；否则，该请求将在等待期结束后自动关闭。',
    },
    'zh-TW': {
      subject: '[{ticketId}] 您的服務要求已解決',
      text: '您好：\n\n您的服務要求「{title}」已於 {date} 解決。\n\n解決方式：{summary}\n\n如果問題仍未解決，您可以重新開啟此要求；否則，此要求將在等待期結束後自動關閉。',
    },
  },
  'customer.TicketClosed': {
    en: {
      subject: '[{ticketId}] Your service request is closed',
      text: 'Hello,\n\nYour service request "{title}" was closed on {date}.\nReason: {reason}\nComment: {text}\n\nThank you for contacting support.',
    },
    de: {
      subject: '[{ticketId}] Ihre Serviceanfrage wurde geschlossen',
      text: 'Guten Tag,\n\nIhre Serviceanfrage „{title}“ wurde am {date} geschlossen.\nGrund: {reason}\nKommentar: {text}\n\nVielen Dank, dass Sie sich an den Support gewandt haben.',
    },
    pl: {
      subject: '[{ticketId}] Twoje żądanie usługi zostało zamknięte',
      text: 'Dzień dobry,\n\ndnia {date} Twoje żądanie usługi „{title}” zostało zamknięte.\nPowód: {reason}\nKomentarz: {text}\n\nDziękujemy za kontakt z pomocą techniczną.',
    },
    'zh-CN': {
      subject: '[{ticketId}] 你的服务请求已关闭',
      text: '你好，\n\n你的服务请求“{title}”已于 {date} 关闭。\n原因：{reason}\n备注：{text}\n\n感谢你联系支持部门。',
    },
    'zh-TW': {
      subject: '[{ticketId}] 您的服務要求已關閉',
      text: '您好：\n\n您的服務要求「{title}」已於 {date} 關閉。\n原因：{reason}\n備註：{text}\n\n感謝您與支援人員聯絡。',
    },
  },
  'customer.TicketReopened': {
    en: {
      subject: '[{ticketId}] Your service request has been reopened',
      text: 'Hello,\n\nYour service request "{title}" was reopened on {date}. A support engineer will pick it up again.\nYour comment: {text}',
    },
    de: {
      subject: '[{ticketId}] Ihre Serviceanfrage wurde erneut geöffnet',
      text: 'Guten Tag,\n\nIhre Serviceanfrage „{title}“ wurde am {date} erneut geöffnet. Ein Supporttechniker kümmert sich wieder darum.\nIhr Kommentar: {text}',
    },
    pl: {
      subject: '[{ticketId}] Twoje żądanie usługi zostało ponownie otwarte',
      text: 'Dzień dobry,\n\ndnia {date} Twoje żądanie usługi „{title}” zostało ponownie otwarte. Specjalista pomocy technicznej ponownie się nim zajmie.\nTwój komentarz: {text}',
    },
    'zh-CN': {
      subject: '[{ticketId}] 你的服务请求已重新打开',
      text: '你好，\n\n你的服务请求“{title}”已于 {date} 重新打开。支持工程师将继续处理。\n你的留言：{text}',
    },
    'zh-TW': {
      subject: '[{ticketId}] 您的服務要求已重新開啟',
      text: '您好：\n\n您的服務要求「{title}」已於 {date} 重新開啟。支援工程師將繼續處理。\n您的留言：{text}',
    },
  },
  'customer.NoteAdded': {
    en: {
      subject: '[{ticketId}] New message about your service request',
      text: 'Hello,\n\nThere is a new message about your service request "{title}" ({date}):\n\n{text}',
    },
    de: {
      subject: '[{ticketId}] Neue Nachricht zu Ihrer Serviceanfrage',
      text: 'Guten Tag,\n\nzu Ihrer Serviceanfrage „{title}“ gibt es eine neue Nachricht ({date}):\n\n{text}',
    },
    pl: {
      subject: '[{ticketId}] Nowa wiadomość dotycząca Twojego żądania usługi',
      text: 'Dzień dobry,\n\nw sprawie Twojego żądania usługi „{title}” pojawiła się nowa wiadomość ({date}):\n\n{text}',
    },
    'zh-CN': {
      subject: '[{ticketId}] 你的服务请求有新消息',
      text: '你好，\n\n你的服务请求“{title}”有一条新消息（{date}）：\n\n{text}',
    },
    'zh-TW': {
      subject: '[{ticketId}] 您的服務要求有新訊息',
      text: '您好：\n\n您的服務要求「{title}」有一則新訊息（{date}）：\n\n{text}',
    },
  },
  'customer.SeverityChanged': {
    en: {
      subject: '[{ticketId}] The severity of your request changed to {to}',
      text: 'Hello,\n\nOn {date} the severity of your service request "{title}" was changed from {from} to {to}.\nReason: {reason}',
    },
    de: {
      subject: '[{ticketId}] Der Schweregrad Ihrer Anfrage wurde auf {to} geändert',
      text: 'Guten Tag,\n\nam {date} wurde der Schweregrad Ihrer Serviceanfrage „{title}“ von {from} auf {to} geändert.\nGrund: {reason}',
    },
    pl: {
      subject: '[{ticketId}] Zmieniono ważność Twojego zgłoszenia na {to}',
      text: 'Dzień dobry,\n\ndnia {date} ważność Twojego żądania usługi „{title}” została zmieniona z {from} na {to}.\nPowód: {reason}',
    },
    'zh-CN': {
      subject: '[{ticketId}] 你的服务请求严重性已更改为 {to}',
      text: '你好，\n\n{date}，你的服务请求“{title}”的严重性已从 {from} 更改为 {to}。\n原因：{reason}',
    },
    'zh-TW': {
      subject: '[{ticketId}] 您的服務要求嚴重性已變更為 {to}',
      text: '您好：\n\n{date}，您的服務要求「{title}」的嚴重性已從 {from} 變更為 {to}。\n原因：{reason}',
    },
  },
  'owner.assigned': {
    en: {
      subject: '[{ticketId}] Assigned to you: {title}',
      text: 'Hello {owner},\n\nThe service request "{title}" of {tenant} was assigned to you on {date}.\nSeverity: {severity}\nQueue: {queue}',
    },
    de: {
      subject: '[{ticketId}] Ihnen zugewiesen: {title}',
      text: 'Hallo {owner},\n\ndie Serviceanfrage „{title}“ von {tenant} wurde Ihnen am {date} zugewiesen.\nSchweregrad: {severity}\nWarteschlange: {queue}',
    },
    pl: {
      subject: '[{ticketId}] Przypisano do Ciebie: {title}',
      text: 'Cześć {owner},\n\ndnia {date} przypisano Ci żądanie usługi „{title}” klienta {tenant}.\nWażność: {severity}\nKolejka: {queue}',
    },
    'zh-CN': {
      subject: '[{ticketId}] 已分配给你：{title}',
      text: '{owner}，你好：\n\n{tenant} 的服务请求“{title}”已于 {date} 分配给你。\n严重性：{severity}\n队列：{queue}',
    },
    'zh-TW': {
      subject: '[{ticketId}] 已指派給您：{title}',
      text: '{owner}，您好：\n\n{tenant} 的服務要求「{title}」已於 {date} 指派給您。\n嚴重性：{severity}\n佇列：{queue}',
    },
  },
  'owner.customerReplied': {
    en: {
      subject: '[{ticketId}] Customer replied: {title}',
      text: 'Hello {owner},\n\nThe customer replied to the service request "{title}" ({tenant}) on {date}. The request is back with you and its clocks are running again.\n\n{text}',
    },
    de: {
      subject: '[{ticketId}] Antwort des Kunden: {title}',
      text: 'Hallo {owner},\n\nder Kunde hat am {date} auf die Serviceanfrage „{title}“ ({tenant}) geantwortet. Die Anfrage liegt wieder bei Ihnen, die Fristen laufen weiter.\n\n{text}',
    },
    pl: {
      subject: '[{ticketId}] Klient odpowiedział: {title}',
      text: 'Cześć {owner},\n\ndnia {date} klient odpowiedział w sprawie żądania usługi „{title}” ({tenant}). Zgłoszenie wróciło do Ciebie, a liczniki czasu znów biegną.\n\n{text}',
    },
    'zh-CN': {
      subject: '[{ticketId}] 客户已回复：{title}',
      text: '{owner}，你好：\n\n客户已于 {date} 回复服务请求“{title}”（{tenant}）。该请求已交回给你处理，计时已恢复。\n\n{text}',
    },
    'zh-TW': {
      subject: '[{ticketId}] 客戶已回覆：{title}',
      text: '{owner}，您好：\n\n客戶已於 {date} 回覆服務要求「{title}」（{tenant}）。此要求已交回給您處理，計時已恢復。\n\n{text}',
    },
  },
  'owner.noteAdded': {
    en: {
      subject: '[{ticketId}] New note: {title}',
      text: 'Hello {owner},\n\n{actor} added a note to the service request "{title}" ({tenant}) on {date} ({visibility}):\n\n{text}',
    },
    de: {
      subject: '[{ticketId}] Neue Notiz: {title}',
      text: 'Hallo {owner},\n\n{actor} hat am {date} eine Notiz zur Serviceanfrage „{title}“ ({tenant}) hinzugefügt ({visibility}):\n\n{text}',
    },
    pl: {
      subject: '[{ticketId}] Nowa notatka: {title}',
      text: 'Cześć {owner},\n\ndnia {date} {actor} dodał(a) notatkę do żądania usługi „{title}” ({tenant}) ({visibility}):\n\n{text}',
    },
    'zh-CN': {
      subject: '[{ticketId}] 新备注：{title}',
      text: '{owner}，你好：\n\n{actor} 于 {date} 为服务请求“{title}”（{tenant}）添加了备注（{visibility}）：\n\n{text}',
    },
    'zh-TW': {
      subject: '[{ticketId}] 新備註：{title}',
      text: '{owner}，您好：\n\n{actor} 於 {date} 為服務要求「{title}」（{tenant}）新增了備註（{visibility}）：\n\n{text}',
    },
  },
  'owner.reopened': {
    en: {
      subject: '[{ticketId}] Reopened: {title}',
      text: 'Hello {owner},\n\nThe customer reopened the service request "{title}" ({tenant}) on {date}: the problem is not fixed.\n\n{text}',
    },
    de: {
      subject: '[{ticketId}] Erneut geöffnet: {title}',
      text: 'Hallo {owner},\n\nder Kunde hat die Serviceanfrage „{title}“ ({tenant}) am {date} erneut geöffnet: Das Problem ist nicht behoben.\n\n{text}',
    },
    pl: {
      subject: '[{ticketId}] Ponownie otwarte: {title}',
      text: 'Cześć {owner},\n\ndnia {date} klient ponownie otworzył żądanie usługi „{title}” ({tenant}): problem nie został rozwiązany.\n\n{text}',
    },
    'zh-CN': {
      subject: '[{ticketId}] 已重新打开：{title}',
      text: '{owner}，你好：\n\n客户已于 {date} 重新打开服务请求“{title}”（{tenant}）：问题尚未解决。\n\n{text}',
    },
    'zh-TW': {
      subject: '[{ticketId}] 已重新開啟：{title}',
      text: '{owner}，您好：\n\n客戶已於 {date} 重新開啟服務要求「{title}」（{tenant}）：問題尚未解決。\n\n{text}',
    },
  },
  'owner.escalated': {
    en: {
      subject: '[{ticketId}] SLA warning: {title}',
      text: 'Hello {owner},\n\nThe service request "{title}" ({tenant}, severity {severity}) reached the SLA warning threshold on {date}.\nClock: {clock}\nReason: {reason}\n\nPlease respond before the target is breached.',
    },
    de: {
      subject: '[{ticketId}] SLA-Warnung: {title}',
      text: 'Hallo {owner},\n\ndie Serviceanfrage „{title}“ ({tenant}, Schweregrad {severity}) hat am {date} die SLA-Warnschwelle erreicht.\nFrist: {clock}\nGrund: {reason}\n\nBitte reagieren Sie, bevor die Frist überschritten wird.',
    },
    pl: {
      subject: '[{ticketId}] Ostrzeżenie SLA: {title}',
      text: 'Cześć {owner},\n\ndnia {date} żądanie usługi „{title}” ({tenant}, ważność {severity}) osiągnęło próg ostrzeżenia SLA.\nLicznik: {clock}\nPowód: {reason}\n\nOdpowiedz, zanim termin zostanie przekroczony.',
    },
    'zh-CN': {
      subject: '[{ticketId}] SLA 预警：{title}',
      text: '{owner}，你好：\n\n服务请求“{title}”（{tenant}，严重性 {severity}）已于 {date} 达到 SLA 预警阈值。\n计时器：{clock}\n原因：{reason}\n\n请在超出目标时间之前作出响应。',
    },
    'zh-TW': {
      subject: '[{ticketId}] SLA 警告：{title}',
      text: '{owner}，您好：\n\n服務要求「{title}」（{tenant}，嚴重性 {severity}）已於 {date} 達到 SLA 警告門檻。\n計時器：{clock}\n原因：{reason}\n\n請在超過目標時間之前回應。',
    },
  },
  'owner.breached': {
    en: {
      subject: '[{ticketId}] SLA breached: {title}',
      text: 'Hello {owner},\n\nThe service request "{title}" ({tenant}, severity {severity}) breached its SLA target on {date} (escalation level {level}).\nClock: {clock}\nReason: {reason}\n\nThe duty supervisor has been informed.',
    },
    de: {
      subject: '[{ticketId}] SLA-Frist überschritten: {title}',
      text: 'Hallo {owner},\n\ndie Serviceanfrage „{title}“ ({tenant}, Schweregrad {severity}) hat am {date} ihre SLA-Frist überschritten (Eskalationsstufe {level}).\nFrist: {clock}\nGrund: {reason}\n\nDer diensthabende Supervisor wurde informiert.',
    },
    pl: {
      subject: '[{ticketId}] Przekroczono SLA: {title}',
      text: 'Cześć {owner},\n\ndnia {date} żądanie usługi „{title}” ({tenant}, ważność {severity}) przekroczyło docelowy czas SLA (poziom eskalacji {level}).\nLicznik: {clock}\nPowód: {reason}\n\nDyżurny przełożony został powiadomiony.',
    },
    'zh-CN': {
      subject: '[{ticketId}] SLA 已超时：{title}',
      text: '{owner}，你好：\n\n服务请求“{title}”（{tenant}，严重性 {severity}）已于 {date} 超出 SLA 目标时间（升级级别 {level}）。\n计时器：{clock}\n原因：{reason}\n\n已通知值班主管。',
    },
    'zh-TW': {
      subject: '[{ticketId}] SLA 已逾時：{title}',
      text: '{owner}，您好：\n\n服務要求「{title}」（{tenant}，嚴重性 {severity}）已於 {date} 超過 SLA 目標時間（升級層級 {level}）。\n計時器：{clock}\n原因：{reason}\n\n已通知值班主管。',
    },
  },
  'supervisor.breached': {
    en: {
      subject: '[{ticketId}] SLA breach: {title} ({tenant})',
      text: 'Hello,\n\nThe service request "{title}" of {tenant} (severity {severity}) breached its SLA target on {date} (escalation level {level}).\nClock: {clock}\nReason: {reason}\nOwner: {owner}\n\nPlease make sure someone is working on it.',
    },
    de: {
      subject: '[{ticketId}] SLA-Verletzung: {title} ({tenant})',
      text: 'Guten Tag,\n\ndie Serviceanfrage „{title}“ von {tenant} (Schweregrad {severity}) hat am {date} ihre SLA-Frist überschritten (Eskalationsstufe {level}).\nFrist: {clock}\nGrund: {reason}\nZuständig: {owner}\n\nBitte stellen Sie sicher, dass jemand daran arbeitet.',
    },
    pl: {
      subject: '[{ticketId}] Naruszenie SLA: {title} ({tenant})',
      text: 'Dzień dobry,\n\ndnia {date} żądanie usługi „{title}” klienta {tenant} (ważność {severity}) przekroczyło docelowy czas SLA (poziom eskalacji {level}).\nLicznik: {clock}\nPowód: {reason}\nOdpowiedzialny: {owner}\n\nUpewnij się, że ktoś się nim zajmuje.',
    },
    'zh-CN': {
      subject: '[{ticketId}] SLA 违约：{title}（{tenant}）',
      text: '你好，\n\n{tenant} 的服务请求“{title}”（严重性 {severity}）已于 {date} 超出 SLA 目标时间（升级级别 {level}）。\n计时器：{clock}\n原因：{reason}\n负责人：{owner}\n\n请确认已有人在处理此请求。',
    },
    'zh-TW': {
      subject: '[{ticketId}] SLA 違約：{title}（{tenant}）',
      text: '您好：\n\n{tenant} 的服務要求「{title}」（嚴重性 {severity}）已於 {date} 超過 SLA 目標時間（升級層級 {level}）。\n計時器：{clock}\n原因：{reason}\n負責人：{owner}\n\n請確認已有人在處理此要求。',
    },
  },
};

/**
 * Phone verification codes (not about a ticket): `verification.email` goes to the tenant's
 * registered address; `verification.call` is the callback task of an agent who reads the code to
 * the registered number (in the recipient's language, like every callback task). Wording after
 * the seeds: "verification code" is 验证码 / 驗證碼, kod weryfikacyjny, Bestätigungscode. The code
 * is never in a subject, which mail clients show in notifications and lists.
 */
export type VerificationTemplateKey = 'verification.email' | 'verification.call';

export const VERIFICATION_TEMPLATES: Record<VerificationTemplateKey, Localized<Template>> = {
  'verification.email': {
    en: {
      subject: 'Verification code for a support call on behalf of {tenant}',
      text: "Hello {name},\n\nSomeone contacted support on behalf of {tenant} from {callerPhone}, a phone number that is not registered in your organization's profile. To protect your organization, the support representative needs this verification code before acting on its behalf:\n\n{code}\n\nIf you made this call, give the code to the support representative. It is valid until {expiresAt}.\nIf you did not contact support, do not share the code with anyone.",
    },
    de: {
      subject: 'Bestätigungscode für einen Supportanruf im Namen von {tenant}',
      text: 'Guten Tag {name},\n\njemand hat sich im Namen von {tenant} über die Nummer {callerPhone} an den Support gewandt. Diese Telefonnummer ist nicht im Profil Ihrer Organisation registriert. Zum Schutz Ihrer Organisation benötigt der Supportmitarbeiter diesen Bestätigungscode, bevor er in ihrem Namen handeln kann:\n\n{code}\n\nWenn Sie angerufen haben, nennen Sie den Code dem Supportmitarbeiter. Er ist gültig bis {expiresAt}.\nWenn Sie sich nicht an den Support gewandt haben, geben Sie den Code an niemanden weiter.',
    },
    pl: {
      subject: 'Kod weryfikacyjny do zgłoszenia w imieniu {tenant}',
      text: 'Dzień dobry {name},\n\nktoś skontaktował się z pomocą techniczną w imieniu {tenant} z numeru {callerPhone}, który nie jest zarejestrowany w profilu Twojej organizacji. Aby chronić Twoją organizację, przedstawiciel pomocy technicznej potrzebuje tego kodu weryfikacyjnego, zanim będzie mógł działać w jej imieniu:\n\n{code}\n\nJeśli to Ty dzwonisz, podaj ten kod przedstawicielowi pomocy technicznej. Kod jest ważny do {expiresAt}.\nJeśli nie kontaktujesz się z pomocą techniczną, nie udostępniaj nikomu tego kodu.',
    },
    'zh-CN': {
      subject: '代表 {tenant} 联系支持部门的验证码',
      text: '{name}，你好：\n\n有人使用号码 {callerPhone} 代表 {tenant} 联系了支持部门，该号码未在你的组织配置文件中注册。为了保护你的组织，支持代表需要以下验证码才能代表你的组织进行操作：\n\n{code}\n\n如果是你本人来电，请将此验证码提供给支持代表。验证码有效期至 {expiresAt}。\n如果你没有联系支持部门，请勿将此验证码告诉任何人。',
    },
    'zh-TW': {
      subject: '代表 {tenant} 與支援人員聯絡的驗證碼',
      text: '{name}，您好：\n\n有人使用號碼 {callerPhone} 代表 {tenant} 與支援人員聯絡，此號碼未註冊到貴組織的設定檔。為了保護貴組織，支援代表需要以下驗證碼，才能代表貴組織進行操作：\n\n{code}\n\n如果是您本人來電，請將此驗證碼提供給支援代表。驗證碼有效期限至 {expiresAt}。\n如果您沒有與支援人員聯絡，請勿將此驗證碼提供給任何人。',
    },
  },
  'verification.call': {
    en: {
      subject: 'Verification code for {tenant}: call {name} at {phone}',
      text: "Call {name} at the registered number {phone} and read out this verification code:\n\n{code}\n\nTell them: someone contacted support on behalf of {tenant} from {callerPhone}, a number that is not registered in the organization's profile. The caller must give this code to the support representative before they can act for the organization. The code is valid until {expiresAt}. If nobody from the organization contacted support, they must not share it.\n\nRead the code only to the registered number, never to the caller.",
    },
    de: {
      subject: 'Bestätigungscode für {tenant}: {name} unter {phone} anrufen',
      text: 'Rufen Sie {name} unter der registrierten Nummer {phone} an und lesen Sie diesen Bestätigungscode vor:\n\n{code}\n\nTeilen Sie mit: Jemand hat sich im Namen von {tenant} über die Nummer {callerPhone} an den Support gewandt; sie ist nicht im Profil der Organisation registriert. Der Anrufer muss diesen Code dem Supportmitarbeiter nennen, bevor dieser im Namen der Organisation handeln kann. Der Code ist gültig bis {expiresAt}. Hat sich niemand aus der Organisation an den Support gewandt, darf der Code nicht weitergegeben werden.\n\nLesen Sie den Code nur unter der registrierten Nummer vor, niemals dem Anrufer.',
    },
    pl: {
      subject: 'Kod weryfikacyjny dla {tenant}: zadzwoń do {name} pod numer {phone}',
      text: 'Zadzwoń do {name} pod zarejestrowany numer {phone} i odczytaj ten kod weryfikacyjny:\n\n{code}\n\nPrzekaż: ktoś skontaktował się z pomocą techniczną w imieniu {tenant} z numeru {callerPhone}, który nie jest zarejestrowany w profilu organizacji. Dzwoniący musi podać ten kod przedstawicielowi pomocy technicznej, zanim będzie on mógł działać w imieniu organizacji. Kod jest ważny do {expiresAt}. Jeśli nikt z organizacji nie kontaktował się z pomocą techniczną, nie należy nikomu udostępniać kodu.\n\nOdczytaj kod wyłącznie pod zarejestrowanym numerem, nigdy dzwoniącemu.',
    },
    'zh-CN': {
      subject: '{tenant} 的验证码：请致电 {name}（{phone}）',
      text: '请拨打已注册的号码 {phone} 联系 {name}，并读出以下验证码：\n\n{code}\n\n请告知对方：有人使用号码 {callerPhone} 代表 {tenant} 联系了支持部门，该号码未在组织配置文件中注册。来电者必须先将此验证码提供给支持代表，支持代表才能代表该组织进行操作。验证码有效期至 {expiresAt}。如果组织中没有人联系支持部门，请勿将验证码告诉任何人。\n\n只能将验证码读给已注册的号码，切勿告诉来电者。',
    },
    'zh-TW': {
      subject: '{tenant} 的驗證碼：請致電 {name}（{phone}）',
      text: '請撥打已註冊的號碼 {phone} 聯絡 {name}，並唸出以下驗證碼：\n\n{code}\n\n請告知對方：有人使用號碼 {callerPhone} 代表 {tenant} 與支援人員聯絡，此號碼未註冊到組織的設定檔。來電者必須先將此驗證碼提供給支援代表，支援代表才能代表該組織進行操作。驗證碼有效期限至 {expiresAt}。如果組織中沒有人與支援人員聯絡，請勿將驗證碼提供給任何人。\n\n只能將驗證碼唸給已註冊的號碼，切勿告訴來電者。',
    },
  },
};

/** Every message the notifier renders. */
export type MessageKey = TemplateKey | VerificationTemplateKey;

const ALL_TEMPLATES: Record<MessageKey, Localized<Template>> = { ...TEMPLATES, ...VERIFICATION_TEMPLATES };

export type TemplateValues = Readonly<Record<string, string | undefined>>;

export interface RenderedMessage {
  subject: string;
  text: string;
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;
const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

function fill(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_, name: string) => values[name] ?? '');
}

function fillLines(template: string, values: TemplateValues): string {
  return template
    .split('\n')
    .filter((line) => [...line.matchAll(PLACEHOLDER)].every(([, name]) => present(values[name ?? ''])))
    .map((line) => fill(line, values))
    .join('\n');
}

/** Renders a template in a language: subject on one line, body plus the language's footer. */
export function render(key: MessageKey, language: SupportedLanguage, values: TemplateValues): RenderedMessage {
  const template = ALL_TEMPLATES[key][language];
  const subject = fill(template.subject, values).replace(/\s+/g, ' ').trim();
  const body = `${fillLines(template.text, values)}\n\n${fillLines(FOOTERS[language], values)}`;
  return { subject, text: `${body.replace(/\n{3,}/g, '\n\n').trim()}\n` };
}
